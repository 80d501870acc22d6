"""Handler code zips: byte-identical for the same sources, one handler's change touches only it."""

from __future__ import annotations

import os
import shutil
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from lambda_packaging.errors import ArtifactError
from lambda_packaging.handler_code import zip_handler_code
from lambda_packaging.paths import REPO_ROOT
from lambda_packaging.targets import HANDLERS
from lambda_packaging.zips import FILE_MODE, FIXED_DATE_TIME


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of handlers/ with different mtimes and modes, plus junk that must not ship."""
    shutil.copytree(REPO_ROOT / "handlers", tmp_path / "handlers")
    for path in (tmp_path / "handlers").rglob("*.py"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
        path.chmod(0o600)
    junk = tmp_path / "handlers" / "cart"
    (junk / "__pycache__").mkdir(exist_ok=True)
    (junk / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (junk / "tests").mkdir(exist_ok=True)
    (junk / "tests" / "test_x.py").write_text("assert True\n")
    (junk / "stale.pyc").write_bytes(b"\0")
    (junk / ".hidden").write_text("x")
    return tmp_path


def names(data: bytes) -> list[str]:
    return zipfile.ZipFile(BytesIO(data)).namelist()


def test_same_sources_give_identical_bytes(repo_copy: Path) -> None:
    first = zip_handler_code("cart")
    second = zip_handler_code("cart")
    # Timestamps, modes and caches differ in the copy; the bytes must not.
    copied = zip_handler_code("cart", root=repo_copy)
    assert first.data == second.data == copied.data
    assert first.b64digest == copied.b64digest


def test_entries_are_sorted_fixed_and_clean() -> None:
    zipped = zip_handler_code("cart")
    archive = zipfile.ZipFile(BytesIO(zipped.data))
    infos = archive.infolist()
    listed = [info.filename for info in infos]
    assert listed == sorted(listed)
    assert {info.date_time for info in infos} == {FIXED_DATE_TIME}
    assert {info.external_attr >> 16 for info in infos} == {FILE_MODE}
    assert "handlers/__init__.py" in listed
    assert any(name.startswith("handlers/shared/") for name in listed)
    assert any(name.startswith("handlers/cart/") for name in listed)
    assert not any(name.startswith("handlers/asset/") for name in listed)
    assert sum(info.file_size for info in infos) == zipped.unzipped_bytes


def test_tests_caches_and_hidden_files_are_left_out(repo_copy: Path) -> None:
    listed = names(zip_handler_code("cart", root=repo_copy).data)
    assert not [n for n in listed if "__pycache__" in n or "/tests/" in n]
    assert not [n for n in listed if n.endswith(".pyc") or "/." in n]


def test_changing_one_handler_changes_only_its_artifact(repo_copy: Path) -> None:
    before = {h: zip_handler_code(h, root=repo_copy).hexdigest for h in HANDLERS}
    target = repo_copy / "handlers" / "cart" / "__init__.py"
    target.write_text(target.read_text() + "# changed\n")
    after = {h: zip_handler_code(h, root=repo_copy).hexdigest for h in HANDLERS}
    assert after["cart"] != before["cart"]
    assert after["asset"] == before["asset"]


def test_changing_shared_code_changes_both(repo_copy: Path) -> None:
    before = {h: zip_handler_code(h, root=repo_copy).hexdigest for h in HANDLERS}
    shared = repo_copy / "handlers" / "shared" / "env.py"
    shared.write_text(shared.read_text() + "# changed\n")
    after = {h: zip_handler_code(h, root=repo_copy).hexdigest for h in HANDLERS}
    assert after["cart"] != before["cart"]
    assert after["asset"] != before["asset"]


def test_missing_handler_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "handlers").mkdir()
    with pytest.raises(ArtifactError, match="does not exist"):
        zip_handler_code("cart", root=tmp_path)
