"""lambda_artifact(): the record decides Zip vs Image, stale records and bad input are refused."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components import artifacts
from components.artifacts import lambda_artifact
from lambda_packaging import record as build_record
from lambda_packaging.errors import ArtifactError
from lambda_packaging.targets import RUNTIME, UNZIPPED_LIMIT_BYTES, handler_architecture


@pytest.fixture(autouse=True)
def under_mocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """As under the program's mock runtime, without touching Pulumi's process-wide settings
    (a set_mocks here would leak into later program runs in the same session)."""
    monkeypatch.setattr(artifacts, "builds_optional", lambda: True)


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the build record the test may edit."""
    path = tmp_path / "artifacts.lock.json"
    path.write_text(build_record.BUILD_RECORD.read_text())
    monkeypatch.setattr(build_record, "BUILD_RECORD", path)
    return path


def test_cart_ships_as_zip_with_a_dependency_layer() -> None:
    artifact = lambda_artifact("cart", "arm64")
    assert artifact.package_type == "Zip"
    assert artifact.runtime == RUNTIME
    assert artifact.handler == "handlers.cart.api.lambda_entry.lambda_handler"
    assert isinstance(artifact.code, pulumi.FileArchive)
    zipped = Path(artifact.code.path).read_bytes()
    assert artifact.sha256 == base64.b64encode(hashlib.sha256(zipped).digest()).decode()
    (layer,) = artifact.layers
    assert layer.compatible_architectures == ("arm64",)
    assert any(p.startswith("pydantic==") for p in layer.packages)
    assert artifact.total_unzipped_bytes <= UNZIPPED_LIMIT_BYTES


def test_asset_ships_as_an_image_and_says_why() -> None:
    artifact = lambda_artifact("asset", "x86_64")
    assert artifact.package_type == "Image"
    assert artifact.code is None and artifact.runtime is None and artifact.layers == ()
    assert artifact.image is not None
    assert artifact.image.platform == "linux/amd64"
    assert artifact.image.build_args["HANDLER"] == "asset"
    assert "meshoptimizer" in artifact.reason


def test_architectures_get_distinct_artifacts() -> None:
    arm, x86 = lambda_artifact("cart", "arm64"), lambda_artifact("cart", "x86_64")
    assert arm.layers[0].sha256 != x86.layers[0].sha256
    assert x86.layers[0].compatible_architectures == ("x86_64",)


def test_the_asset_runs_on_x86_64_whatever_the_stack_says() -> None:
    assert handler_architecture("asset", "arm64") == "x86_64"
    assert handler_architecture("cart", "arm64") == "arm64"
    with pytest.raises(ArtifactError, match="asset runs on x86_64 only, not arm64: almeshopt"):
        lambda_artifact("asset", "arm64")


@pytest.mark.parametrize(
    ("handler", "architecture", "allowed"),
    [("orders", "arm64", "asset, cart"), ("cart", "riscv", "arm64, x86_64")],
)
def test_bad_input_names_the_allowed_values(handler: Any, architecture: Any, allowed: str) -> None:
    with pytest.raises(ArtifactError, match=allowed):
        lambda_artifact(handler, architecture)


def test_a_stale_record_warns_under_mocks_and_fails_for_real(
    record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads(record.read_text())
    data["cart/arm64"]["lock_digest"] = "0" * 64
    record.write_text(json.dumps(data))
    with pytest.warns(build_record.StaleBuildRecord, match="build-artifacts --handler cart"):
        lambda_artifact("cart", "arm64")
    monkeypatch.setattr(artifacts, "builds_optional", lambda: False)
    with pytest.raises(ArtifactError, match="python -m ci build-artifacts --handler cart"):
        lambda_artifact("cart", "arm64")


def test_a_missing_record_is_refused(record: Path) -> None:
    record.write_text("{}")
    with pytest.raises(ArtifactError, match="no dependency build recorded for cart/arm64"):
        lambda_artifact("cart", "arm64")


def test_over_the_size_limit_is_refused(record: Path) -> None:
    data = json.loads(record.read_text())
    data["cart/arm64"]["layer"]["unzipped_bytes"] = UNZIPPED_LIMIT_BYTES
    record.write_text(json.dumps(data))
    with pytest.raises(ArtifactError, match="over Lambda's"):
        lambda_artifact("cart", "arm64")
