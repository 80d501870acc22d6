"""The trigger ships as a Zip with no dependency layer: its code imports only what Lambda's
Python runtime provides, and the build refuses it the day it imports anything else."""

from __future__ import annotations

import shutil
import zipfile
from io import BytesIO
from pathlib import Path

import pulumi
import pytest

from ci.build_artifacts import runtime_only_record
from components.artifacts import lambda_artifact
from lambda_packaging.errors import ArtifactError
from lambda_packaging.handler_code import imports_beyond_runtime
from lambda_packaging.paths import REPO_ROOT
from lambda_packaging.targets import ARCHITECTURES, RUNTIME, Architecture


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_identity_is_a_zip_without_layers(architecture: Architecture) -> None:
    artifact = lambda_artifact("identity", architecture)
    assert (artifact.package_type, artifact.runtime) == ("Zip", RUNTIME)
    assert artifact.handler == "handlers.identity.handler.lambda_handler"
    assert artifact.layers == () and artifact.architecture == architecture
    assert "boto3" in artifact.reason
    assert isinstance(artifact.code, pulumi.FileArchive)
    listed = zipfile.ZipFile(BytesIO(Path(artifact.code.path).read_bytes())).namelist()
    assert "handlers/identity/handler.py" in listed
    assert not any(n.startswith(("handlers/cart/", "handlers/asset/")) for n in listed)


def test_only_runtime_modules_are_imported() -> None:
    assert imports_beyond_runtime("identity") == []
    # The check sees real third-party imports: the cart's code has plenty.
    assert {"jwt", "pydantic"} <= set(imports_beyond_runtime("cart"))


def test_a_new_third_party_import_is_refused_by_the_build(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "handlers", tmp_path / "handlers")
    module = tmp_path / "handlers" / "identity" / "handler.py"
    module.write_text("from aws_lambda_powertools import Logger\n" + module.read_text())
    assert imports_beyond_runtime("identity", tmp_path) == ["aws_lambda_powertools"]
    with pytest.raises(ArtifactError, match=r"imports aws_lambda_powertools.*dependency group"):
        runtime_only_record("identity", tmp_path)
    assert runtime_only_record("identity")["package_type"] == "Zip"
