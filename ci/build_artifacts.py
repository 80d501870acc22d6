"""Build the handlers' dependency layers from uv.lock and record them for the program.

`python -m ci build-artifacts [--handler asset|cart] [--arch arm64|x86_64|all]`

For each (handler, architecture): export the handler's dependency group from uv.lock (hashes
pinned), check every package has a wheel for CPython 3.12 on manylinux_2_34 (Lambda's Amazon
Linux 2023) for the architecture, install those wheels with the pinned uv (.tools/bin/uv: no compiler, no sdists), drop
tests, caches and console scripts, zip the tree deterministically as a layer (python/...) and
record the result in lambda_packaging/artifacts.lock.json. A handler that cannot ship as a Zip
(a package without a wheel, or over Lambda's size limits) is recorded as a container image, with
the reason. A RUNTIME_ONLY handler (standard library and the runtime's boto3) is checked for
other imports and recorded as a Zip without a layer: nothing is installed for it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from packaging.markers import Marker
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from ci.pinned_tools import pinned_tool
from lambda_packaging import targets
from lambda_packaging.errors import ArtifactError
from lambda_packaging.handler_code import imports_beyond_runtime, zip_handler_code
from lambda_packaging.lock_closure import group_closure, lock_digest
from lambda_packaging.paths import BUILD_DIR, REPO_ROOT
from lambda_packaging.record import read_build_record, record_key, write_build_record
from lambda_packaging.targets import Architecture, Handler, architectures_of
from lambda_packaging.zips import deterministic_zip, shippable_files

UV_PLATFORM: Final[Mapping[Architecture, str]] = {
    "arm64": f"aarch64-{targets.GLIBC_TAG}",
    "x86_64": f"x86_64-{targets.GLIBC_TAG}",
}
# (name, version, environment marker) of one line of a uv export.
Pin = tuple[str, str, str]
WHEEL_ARCH: Final[Mapping[Architecture, str]] = {"arm64": "aarch64", "x86_64": "x86_64"}


@dataclass(frozen=True)
class BuildResult:
    key: str
    record: dict[str, Any]

    def summary(self) -> str:
        record = self.record
        if record["package_type"] == "Image":
            return f"{self.key}: container image ({record['reason']})"
        if "layer" not in record:
            return f"{self.key}: Zip, no layer ({record['reason']})"
        layer = record["layer"]
        return (
            f"{self.key}: Zip + layer {layer['file']} "
            f"({layer['zipped_bytes'] / 1e6:.1f} MB zipped, "
            f"{layer['unzipped_bytes'] / 1e6:.1f} MB unzipped, "
            f"{len(layer['packages'])} packages)"
        )


def target_tags(architecture: Architecture) -> frozenset[Tag]:
    """Wheel tags Lambda's python3.12 on Amazon Linux 2023 (glibc 2.34) can load."""
    arch = WHEEL_ARCH[architecture]
    platforms = [f"manylinux_2_{minor}_{arch}" for minor in range(34, 16, -1)]
    platforms.append(f"manylinux2014_{arch}")
    if arch == "x86_64":
        platforms += ["manylinux2010_x86_64", "manylinux1_x86_64"]
    version = (3, 12)
    return frozenset(cpython_tags(version, platforms=platforms)) | frozenset(
        compatible_tags(version, "cp312", platforms=platforms)
    )


def requirements(handler: Handler, repo: Path = REPO_ROOT) -> str:
    """The group's requirements from uv.lock, markers and hashes included (uv, offline)."""
    result = subprocess.run(
        [
            pinned_tool("uv"),
            "export",
            "--frozen",
            "--no-default-groups",
            "--group",
            handler,
            "--no-emit-project",
            "--format",
            "requirements-txt",
            "--quiet",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ArtifactError(f"uv export failed for group {handler}: {result.stderr.strip()}")
    return result.stdout


def pinned_packages(requirements_txt: str) -> list[Pin]:
    """(name, version, marker) of each `name==version ; marker` line of a uv export."""
    pins = []
    for line in requirements_txt.splitlines():
        if not line or line[0] in " #-" or "==" not in line:
            continue
        spec, _, marker = line.rstrip(" \\").partition(";")
        name, _, version = spec.strip().partition("==")
        pins.append((name.strip(), version.strip(), marker.strip()))
    return pins


def target_environment(architecture: Architecture) -> dict[str, str]:
    """PEP 508 marker values of Lambda's python3.12 on Linux for the architecture."""
    return {
        "python_version": targets.PYTHON_VERSION,
        "python_full_version": f"{targets.PYTHON_VERSION}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": WHEEL_ARCH[architecture],
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "os_name": "posix",
    }


def applicable(pins: Sequence[Pin], architecture: Architecture) -> list[Pin]:
    """The pins whose environment marker holds on the target."""
    environment = target_environment(architecture)
    return [pin for pin in pins if not pin[2] or Marker(pin[2]).evaluate(environment)]


def without_wheel(
    pins: Sequence[Pin], architecture: Architecture, locked: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Target pins that uv.lock has no compatible wheel for (they would need a compiler)."""
    supported = target_tags(architecture)
    by_name = {(str(p["name"]), str(p["version"])): p for p in locked}
    missing = []
    for name, version, _ in applicable(pins, architecture):
        package = by_name.get((canonicalize_name(name), version), {})
        wheels = [Path(str(w["url"])).name for w in package.get("wheels", [])]
        if not any(supported & parse_wheel_filename(w)[3] for w in wheels):
            missing.append(f"{name} {version}")
    return missing


def build_one(handler: Handler, architecture: Architecture, out_dir: Path) -> BuildResult:
    key = record_key(handler, architecture)
    base: dict[str, Any] = {"lock_digest": lock_digest(handler)}
    if handler in targets.RUNTIME_ONLY:
        return BuildResult(key, {**base, **runtime_only_record(handler)})
    reqs = requirements(handler)
    locked = group_closure(handler)
    missing = without_wheel(pinned_packages(reqs), architecture, locked)
    no_source = sorted(
        {m.split()[0] for m in missing} - {str(p["name"]) for p in locked if "sdist" in p}
    )
    if no_source:
        raise ArtifactError(
            f"{key}: {', '.join(no_source)} has no {WHEEL_ARCH[architecture]} wheel and no sdist "
            "in uv.lock, so neither a layer nor an image can be built: pin the handler's "
            "architecture in lambda_packaging/targets.py PINNED_ARCHITECTURES"
        )
    if missing:
        reason = (
            f"no manylinux {WHEEL_ARCH[architecture]} wheel for cp312 in uv.lock for "
            f"{', '.join(missing)} (sdist only): the image compiles it"
        )
        return BuildResult(key, {**base, "package_type": "Image", "reason": reason})
    with tempfile.TemporaryDirectory(prefix=f"shop3d-{handler}-") as tmp:
        target, req_file = Path(tmp) / "site", Path(tmp) / "requirements.txt"
        req_file.write_text(reqs)
        _install(req_file, target, architecture)
        _drop_console_scripts(target)
        zipped = deterministic_zip(
            (f"python/{path.relative_to(target).as_posix()}", path)
            for top in sorted(target.iterdir())
            for path in ([top] if top.is_file() else shippable_files(top))
        )
        packages = sorted(
            f"{name}=={version}"
            for name, version, _ in applicable(pinned_packages(reqs), architecture)
        )
    code = zip_handler_code(handler)
    total = zipped.unzipped_bytes + code.unzipped_bytes
    too_big = [
        f"{total} bytes unzipped > {targets.UNZIPPED_LIMIT_BYTES}"
        if total > targets.UNZIPPED_LIMIT_BYTES
        else "",
        f"layer zip {len(zipped.data)} bytes > {targets.DIRECT_UPLOAD_LIMIT_BYTES} direct upload"
        if len(zipped.data) > targets.DIRECT_UPLOAD_LIMIT_BYTES
        else "",
    ]
    if any(too_big):
        reason = "; ".join(r for r in too_big if r) + ": over Lambda's Zip limits"
        return BuildResult(key, {**base, "package_type": "Image", "reason": reason})
    file_name = f"{handler}-{architecture}-{zipped.hexdigest[:16]}.zip"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / file_name).write_bytes(zipped.data)
    layer = {
        "file": file_name,
        "sha256": zipped.b64digest,
        "zipped_bytes": len(zipped.data),
        "unzipped_bytes": zipped.unzipped_bytes,
        "packages": packages,
    }
    return BuildResult(
        key, {**base, "package_type": "Zip", "reason": "every package has a wheel", "layer": layer}
    )


def runtime_only_record(handler: Handler, repo: Path = REPO_ROOT) -> dict[str, Any]:
    """The record of a handler that ships with no layer, once its imports are checked."""
    extra = imports_beyond_runtime(handler, repo)
    if extra:
        raise ArtifactError(
            f"{handler} imports {', '.join(extra)}, which Lambda's runtime does not provide: "
            f"remove the import, or give {handler} a dependency group in pyproject.toml and "
            f"take it out of RUNTIME_ONLY in lambda_packaging/targets.py"
        )
    return {"package_type": "Zip", "reason": targets.RUNTIME_ONLY_REASON}


def _drop_console_scripts(target: Path) -> None:
    """Console scripts are useless inside Lambda, and their shebangs name the building
    machine's interpreter: remove them, and their lines from each RECORD, so the layer is the
    same whichever checkout builds it and every RECORD lists exactly what ships."""
    scripts = target / "bin"
    if scripts.is_dir():
        shutil.rmtree(scripts)
    for record in target.glob("*.dist-info/RECORD"):
        lines = record.read_text().splitlines(keepends=True)
        record.write_text("".join(line for line in lines if not line.startswith("bin/")))


def _install(req_file: Path, target: Path, architecture: Architecture) -> None:
    result = subprocess.run(
        [
            pinned_tool("uv"),
            "pip",
            "install",
            "--quiet",
            "--target",
            str(target),
            "--python-platform",
            UV_PLATFORM[architecture],
            "--python-version",
            targets.PYTHON_VERSION,
            "--only-binary",
            ":all:",
            "--no-deps",
            "--require-hashes",
            "--link-mode",
            "copy",
            "-r",
            str(req_file),
        ],
        cwd=REPO_ROOT,  # so uv reads pyproject.toml's [tool.uv] settings (native-tls)
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ArtifactError(f"uv pip install failed: {result.stderr.strip()}")


def build(
    handlers: Sequence[Handler],
    architectures: Sequence[Architecture],
    record_path: Path | None = None,
    out_dir: Path | None = None,
) -> list[BuildResult]:
    """Build and record; the record is rewritten whole, sorted, so it diffs cleanly."""
    out_dir = BUILD_DIR / "deps" if out_dir is None else out_dir
    results = [
        build_one(h, a, out_dir)
        for h in handlers
        for a in architectures
        if a in architectures_of(h)
    ]
    record = read_build_record(record_path)
    record.update({result.key: result.record for result in results})
    for handler in handlers:  # a pinned handler has no record for the other architectures
        for architecture in set(targets.ARCHITECTURES) - set(architectures_of(handler)):
            record.pop(record_key(handler, architecture), None)
    write_build_record(record, record_path)
    return results


def missing_layers(record_path: Path | None = None) -> list[str]:
    """Recorded Zip layers whose file is not in build/ (a fresh checkout, a CI runner)."""
    return [
        key
        for key, entry in read_build_record(record_path).items()
        if entry.get("package_type") == "Zip"
        and "layer" in entry
        and not (BUILD_DIR / "deps" / entry["layer"]["file"]).is_file()
    ]
