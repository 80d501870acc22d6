"""The pages bench keeps its state dir (DynamoDB, PostgreSQL, the published assets and
posters) only while the asset pipeline's code is the code that made it."""

from __future__ import annotations

from pathlib import Path

from bench.pages.bench_pages import PIPELINE_KEY_FILE, keyed_state_dir, pipeline_key


def _tree(root: Path) -> None:
    (root / "handlers" / "asset" / "posters").mkdir(parents=True)
    (root / "handlers" / "shared").mkdir(parents=True)
    (root / "handlers" / "asset" / "config.py").write_text("BITS = 13\n")
    (root / "handlers" / "asset" / "posters" / "job.py").write_text("SIZES = (900,)\n")
    (root / "handlers" / "shared" / "posters.py").write_text("ROLES = ()\n")
    (root / "handlers" / "cart").mkdir()
    (root / "handlers" / "cart" / "api.py").write_text("x = 1\n")


def test_the_key_moves_with_any_pipeline_file_and_only_with_them(tmp_path: Path):
    _tree(tmp_path)
    first = pipeline_key(tmp_path)
    assert first == pipeline_key(tmp_path)
    (tmp_path / "handlers" / "cart" / "api.py").write_text("x = 2\n")
    (tmp_path / "handlers" / "asset" / "notes.txt").write_text("not code\n")
    assert pipeline_key(tmp_path) == first
    (tmp_path / "handlers" / "asset" / "posters" / "job.py").write_text("SIZES = (900, 1200)\n")
    second = pipeline_key(tmp_path)
    assert second != first
    (tmp_path / "handlers" / "shared" / "posters.py").write_text("ROLES = ('poster',)\n")
    assert pipeline_key(tmp_path) not in (first, second)


def test_a_state_dir_of_other_code_is_emptied_and_one_of_this_code_kept(tmp_path: Path):
    state = tmp_path / "bench-pages"
    (state / "assets-bucket").mkdir(parents=True)
    (state / "assets-bucket" / "preview.glb").write_bytes(b"old")  # made before any key
    assert keyed_state_dir(state, "a" * 64) is True
    assert list(state.iterdir()) == [state / PIPELINE_KEY_FILE]
    (state / "assets-bucket").mkdir()
    (state / "assets-bucket" / "preview.glb").write_bytes(b"made by a")
    assert keyed_state_dir(state, "a" * 64) is False
    assert (state / "assets-bucket" / "preview.glb").read_bytes() == b"made by a"
    assert keyed_state_dir(state, "b" * 64) is True
    assert not (state / "assets-bucket").exists()
    assert (state / PIPELINE_KEY_FILE).read_text().strip() == "b" * 64


def test_a_missing_state_dir_is_made_with_the_key(tmp_path: Path):
    state = tmp_path / "none-yet"
    assert keyed_state_dir(state, "c" * 64) is True
    assert (state / PIPELINE_KEY_FILE).read_text().strip() == "c" * 64
