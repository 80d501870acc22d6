"""The asset image's build context is exactly what its tag hashes: another handler's edit
changes neither (no rebuild), any change inside it changes the tag (an IMMUTABLE repository
refuses a second push under one tag)."""

from __future__ import annotations

from pathlib import Path

from lambda_packaging.image_context import stage_image_context


def _project(root: Path) -> Path:
    for name, text in {
        "pyproject.toml": "[project]\nname = 'x'\n",
        "uv.lock": "version = 1\n",
        "handlers/__init__.py": "",
        "handlers/shared/tables.py": "CARTS = 'carts'\n",
        "handlers/asset/handler.py": "def handle(): ...\n",
        "handlers/cart/settings.py": "LIMIT = 1\n",
        "ci/driver.py": "# not in any image\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def staged_files(directory: Path) -> list[str]:
    return sorted(
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() and p.name != ".digest"
    )


def test_the_context_holds_the_project_files_and_the_handlers_own_code_only(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    directory, _ = stage_image_context("asset", root)
    assert staged_files(directory) == [
        "handlers/__init__.py",
        "handlers/asset/handler.py",
        "handlers/shared/tables.py",
        "pyproject.toml",
        "uv.lock",
    ]


def test_another_handlers_edit_keeps_the_digest_and_an_own_edit_changes_it(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    _, first = stage_image_context("asset", root)
    (root / "handlers/cart/settings.py").write_text("LIMIT = 2\n")
    (root / "ci/driver.py").write_text("# edited\n")
    assert stage_image_context("asset", root)[1] == first
    (root / "uv.lock").write_text("version = 2\n")
    _, after_lock = stage_image_context("asset", root)
    (root / "handlers/shared/tables.py").write_text("CARTS = 'carts-v2'\n")
    directory, after_shared = stage_image_context("asset", root)
    assert len({first, after_lock, after_shared}) == 3
    assert (directory / "handlers/shared/tables.py").read_text() == "CARTS = 'carts-v2'\n"
