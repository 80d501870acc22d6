"""The dependency-layer builder: offline decisions from uv.lock, and one real reproducible build,
all with a PATH that holds no uv (the builder runs the pinned .tools/bin/uv)."""

from __future__ import annotations

import json
import shutil
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from ci import build_artifacts
from lambda_packaging.errors import ArtifactError
from lambda_packaging.lock_closure import group_closure
from lambda_packaging.record import read_build_record
from lambda_packaging.targets import ARCHITECTURES, Architecture


@pytest.fixture(autouse=True)
def no_uv_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh machine: uv exists only where `./shop3d setup` put it."""
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert shutil.which("uv") is None, "this machine has a uv in /usr/bin or /bin"


def test_pinned_packages_parse_a_uv_export() -> None:
    text = (
        "# generated\n"
        "pydantic==2.14.3 \\\n"
        "    --hash=sha256:abc\n"
        "tzdata==2026.6 ; sys_platform == 'win32' \\\n"
    )
    assert build_artifacts.pinned_packages(text) == [
        ("pydantic", "2.14.3", ""),
        ("tzdata", "2026.6", "sys_platform == 'win32'"),
    ]


def test_markers_are_evaluated_for_lambda_linux() -> None:
    pins = [("tzdata", "1", "sys_platform == 'win32'"), ("six", "1", "")]
    assert build_artifacts.applicable(pins, "arm64") == [("six", "1", "")]


@pytest.mark.parametrize(
    ("architecture", "expected"),
    [("x86_64", ["meshoptimizer"]), ("arm64", ["almeshopt", "meshoptimizer"])],
)
def test_packages_without_a_wheel_are_found_from_the_lock(
    architecture: Architecture, expected: list[str]
) -> None:
    pins = build_artifacts.pinned_packages(build_artifacts.requirements("asset"))
    missing = build_artifacts.without_wheel(pins, architecture, group_closure("asset"))
    assert [m.split()[0] for m in missing] == expected
    cart = build_artifacts.pinned_packages(build_artifacts.requirements("cart"))
    assert build_artifacts.without_wheel(cart, architecture, group_closure("cart")) == []


def test_asset_build_records_an_image_with_the_reason(tmp_path: Path) -> None:
    result = build_artifacts.build_one("asset", "x86_64", tmp_path)
    assert result.record["package_type"] == "Image"
    assert "meshoptimizer 0.2.30a0 (sdist only)" in result.record["reason"]
    assert list(tmp_path.iterdir()) == []


def test_a_package_without_wheel_or_sdist_is_refused_not_recorded_as_compilable(
    tmp_path: Path,
) -> None:
    with pytest.raises(ArtifactError, match="almeshopt has no aarch64 wheel and no sdist"):
        build_artifacts.build_one("asset", "arm64", tmp_path)


def test_a_pinned_handler_is_built_and_recorded_for_its_architecture_only(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"asset/arm64": {"stale": True}}))
    results = build_artifacts.build(["asset"], list(ARCHITECTURES), record, tmp_path)
    assert [r.key for r in results] == ["asset/x86_64"]
    assert sorted(json.loads(record.read_text())) == ["asset/x86_64"]


def test_cart_layer_is_reproducible_and_matches_the_record(tmp_path: Path) -> None:
    # Installs the cart wheels for aarch64 with uv (from uv's cache, or PyPI): a few seconds.
    first = build_artifacts.build_one("cart", "arm64", tmp_path / "a")
    second = build_artifacts.build_one("cart", "arm64", tmp_path / "b")
    name = first.record["layer"]["file"]
    data = (tmp_path / "a" / name).read_bytes()
    assert data == (tmp_path / "b" / second.record["layer"]["file"]).read_bytes()
    assert first.record == read_build_record()["cart/arm64"]
    listed = zipfile.ZipFile(BytesIO(data)).namelist()
    assert all(n.startswith("python/") for n in listed)
    assert "python/pydantic/__init__.py" in listed
    assert not [n for n in listed if "__pycache__" in n or n.startswith("python/bin/")]
    assert any(n.endswith("aarch64-linux-gnu.so") for n in listed)
