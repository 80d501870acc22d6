"""The web tier's renderer bundle (lambda_packaging.renderer_bundle): deterministic, complete
(the renderer imports from the unzipped bundle alone, no repository on the path) and pinned
with hashes for `pip install --require-hashes`."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

from lambda_packaging.renderer_bundle import (
    REQUIREMENTS,
    bundle_key,
    hashed_requirements,
    renderer_bundle,
)


def test_the_bundle_is_the_same_bytes_every_time_and_its_key_names_them() -> None:
    first, second = renderer_bundle(), renderer_bundle()
    assert first.data == second.data
    assert bundle_key(first, "web-renderer/") == f"web-renderer/{first.hexdigest}.zip"


def test_the_renderer_imports_from_the_unzipped_bundle_alone(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(renderer_bundle().data)) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    assert REQUIREMENTS in names
    assert not [n for n in names if n.startswith(("handlers/cart/", "handlers/asset/", "tests/"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    repo = str(Path(__file__).resolve().parents[2])
    probe = (
        f"import sys; sys.path = [p for p in sys.path if p not in ('', {repo!r})];"
        f"sys.path.insert(0, {str(tmp_path)!r}); import handlers.pages.app as app;"
        "print(app.__file__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(tmp_path))


def test_every_requirement_is_pinned_with_hashes_and_the_server_is_there() -> None:
    lines = hashed_requirements().splitlines()
    names = {line.split("==", 1)[0] for line in lines}
    assert {"boto3", "botocore", "starlette", "anyio", "hypercorn", "h11"} <= names
    for line in lines:
        requirement, *hashes = line.split(" ")
        assert "==" in requirement and hashes, line
        assert all(h.startswith("--hash=sha256:") and len(h) == 14 + 64 for h in hashes), line
