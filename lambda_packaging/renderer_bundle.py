"""The web tier's page renderer as one deterministic zip: the handler modules handlers.pages
imports (followed through the import graph, so nothing else ships) and requirements.txt, every
package of the `pages` dependency group pinned with its hashes from uv.lock. The deploy uploads
it once under a content-addressed key (web-renderer/<sha256>.zip); the boot script fetches that
exact key and installs with `pip --require-hashes`.

Built by the same code as the Lambda zips (zips.deterministic_zip, lock_closure.group_closure).
Markers are dropped (group_closure is a superset): pip installs the few packages an older Python
would need too, all of them pure Python, rather than miss one the instance needs."""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path
from typing import Final

from lambda_packaging.errors import ArtifactError
from lambda_packaging.lock_closure import group_closure
from lambda_packaging.paths import BUILD_DIR, REPO_ROOT
from lambda_packaging.zips import ZippedTree, deterministic_zip, write_once

ENTRY_PACKAGE: Final = "handlers.pages"
GROUP: Final = "pages"  # pyproject.toml's dependency group of the renderer
REQUIREMENTS: Final = "requirements.txt"


def _module_file(module: str, root: Path) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_handlers(path: Path) -> set[str]:
    """The handlers.* modules a file imports (absolute imports, at any depth of the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("handlers."))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and (node.module == "handlers" or node.module.startswith("handlers."))
        ):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def renderer_sources(root: Path = REPO_ROOT) -> list[tuple[str, Path]]:
    """Every handlers/ file the renderer imports, with the packages' __init__.py files."""
    entry = root.joinpath(*ENTRY_PACKAGE.split("."))
    if not entry.is_dir():
        raise ArtifactError(f"{entry} does not exist: nothing to package")
    files: set[Path] = {p for p in entry.glob("*.py") if not p.name.startswith("test_")}
    pending = list(files)
    while pending:
        for module in _imported_handlers(pending.pop()):
            found = _module_file(module, root)  # None: a name imported from a module
            if found is not None and found not in files:
                files.add(found)
                pending.append(found)
    for path in list(files):
        for parent in path.relative_to(root).parents:
            init = root / parent / "__init__.py"
            if parent != Path() and init.is_file():
                files.add(init)
    return sorted((p.relative_to(root).as_posix(), p) for p in files)


def hashed_requirements(lock_bytes: bytes | None = None) -> str:
    """`name==version --hash=...` for each package of the group, every wheel's and sdist's hash."""
    lines = []
    for package in group_closure(GROUP, lock_bytes):
        artifacts = [
            *package.get("wheels", []),
            *([package["sdist"]] if "sdist" in package else []),
        ]
        if not artifacts:
            raise ArtifactError(f"uv.lock lists no files for {package['name']}: cannot hash it")
        hashes = " ".join(f"--hash={a['hash']}" for a in artifacts)
        lines.append(f"{package['name']}=={package['version']} {hashes}")
    return "\n".join(lines) + "\n"


def renderer_bundle(root: Path = REPO_ROOT) -> ZippedTree:
    lock = (root / "uv.lock").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / REQUIREMENTS
        requirements.write_text(hashed_requirements(lock))
        return deterministic_zip([*renderer_sources(root), (REQUIREMENTS, requirements)])


def bundle_key(zipped: ZippedTree, prefix: str) -> str:
    """The content-addressed key: new bytes, new key (and a new launch template version)."""
    return f"{prefix}{zipped.hexdigest}.zip"


def written_bundle(root: Path = REPO_ROOT) -> tuple[Path, ZippedTree]:
    """The bundle written once under build/ (named by its digest), for a pulumi FileAsset."""
    zipped = renderer_bundle(root)
    path = BUILD_DIR / "web-renderer" / f"{zipped.hexdigest}.zip"
    return write_once(path, zipped), zipped
