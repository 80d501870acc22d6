"""uv.lock: the packages a handler's dependency group pulls in, and a digest of that slice."""

from __future__ import annotations

import hashlib
import json
import tomllib
from functools import cache
from typing import Any

from lambda_packaging.errors import ArtifactError
from lambda_packaging.paths import UV_LOCK
from lambda_packaging.targets import RUNTIME, RUNTIME_MODULES, RUNTIME_ONLY


@cache
def _lock_packages(lock_bytes: bytes) -> dict[str, list[dict[str, Any]]]:
    lock = tomllib.loads(lock_bytes.decode())
    by_name: dict[str, list[dict[str, Any]]] = {}
    for package in lock["package"]:
        by_name.setdefault(package["name"], []).append(package)
    return by_name


def group_closure(group: str, lock_bytes: bytes | None = None) -> list[dict[str, Any]]:
    """Every locked package the dependency group can install, markers ignored (a superset)."""
    packages = _lock_packages(UV_LOCK.read_bytes() if lock_bytes is None else lock_bytes)
    roots = [
        package
        for versions in packages.values()
        for package in versions
        if package.get("source", {}).get("virtual")
    ]
    if len(roots) != 1 or group not in roots[0].get("dev-dependencies", {}):
        raise ArtifactError(f"uv.lock has no dependency group {group!r} for the project")
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    pending: list[dict[str, Any]] = list(roots[0]["dev-dependencies"][group])
    while pending:
        ref = pending.pop()
        for package in packages.get(ref["name"], []):
            if "version" in ref and package["version"] != ref["version"]:
                continue
            key = (package["name"], package["version"])
            extras = ref.get("extra", [])
            if key not in seen:
                seen[key] = package
                pending.extend(package.get("dependencies", []))
            for extra in extras:
                pending.extend(package.get("optional-dependencies", {}).get(extra, []))
    return [seen[k] for k in sorted(seen)]


def lock_digest(group: str, lock_bytes: bytes | None = None) -> str:
    """A digest of the group's slice of uv.lock: changes only when one of its packages does.
    A RUNTIME_ONLY handler has no slice: its digest follows the runtime alone."""
    if group in RUNTIME_ONLY:
        provided = ",".join(sorted(RUNTIME_MODULES))
        return hashlib.sha256(f"{RUNTIME}\nruntime-provided:{provided}".encode()).hexdigest()
    closure = group_closure(group, lock_bytes)
    canonical = json.dumps(closure, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{RUNTIME}\n{canonical}".encode()).hexdigest()
