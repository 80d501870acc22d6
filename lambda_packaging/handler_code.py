"""A handler's code zip (handlers/__init__.py, handlers/shared/, handlers/<name>/), zipped at
program time, and the imports it makes beyond what Lambda's runtime provides."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from lambda_packaging.errors import ArtifactError
from lambda_packaging.paths import REPO_ROOT
from lambda_packaging.targets import RUNTIME_MODULES, Handler
from lambda_packaging.zips import ZippedTree, deterministic_zip, shippable_files


def handler_sources(handler: Handler, root: Path = REPO_ROOT) -> list[tuple[str, Path]]:
    """The files of a handler's code zip: the handlers package, shared facts, the handler."""
    handlers_dir = root / "handlers"
    if not (handlers_dir / handler).is_dir():
        raise ArtifactError(f"{handlers_dir / handler} does not exist: nothing to package")
    files: list[Path] = [handlers_dir / "__init__.py"]
    for part in ("shared", handler):
        files.extend(shippable_files(handlers_dir / part))
    return [(path.relative_to(root).as_posix(), path) for path in files if path.is_file()]


def zip_handler_code(handler: Handler, root: Path = REPO_ROOT) -> ZippedTree:
    return deterministic_zip(handler_sources(handler, root))


def imports_beyond_runtime(handler: Handler, root: Path = REPO_ROOT) -> list[str]:
    """Top-level modules the handler's code zip imports that neither the standard library, the
    runtime (RUNTIME_MODULES) nor the zip itself provides: a RUNTIME_ONLY handler needs none."""
    found: set[str] = set()
    for name, path in handler_sources(handler, root):
        if not name.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(path.read_bytes(), filename=name)):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    provided = sys.stdlib_module_names | RUNTIME_MODULES | {"handlers"}
    return sorted(found - provided)
