"""Deploys dev into a real account through the driver, when AWS credentials and the pulumi
CLI are present; otherwise skipped with the reason (a skip, never a pass)."""

from __future__ import annotations

import os
import shutil
import urllib.request
from pathlib import Path

import pytest

from ci.driver import default_driver

CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE")


def missing_prerequisites() -> list[str]:
    missing = []
    if not any(os.environ.get(v) for v in CREDENTIAL_VARIABLES):
        missing.append(f"no AWS credentials ({', '.join(CREDENTIAL_VARIABLES)} unset)")
    if shutil.which("pulumi") is None:
        missing.append("no pulumi CLI on PATH")
    if not os.environ.get("PULUMI_CONFIG_PASSPHRASE"):
        missing.append("PULUMI_CONFIG_PASSPHRASE unset (the local backend needs it)")
    return missing


def answers(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own https URL)
        return int(response.status)


@pytest.mark.integration
@pytest.mark.skipif(bool(missing_prerequisites()), reason="; ".join(missing_prerequisites()))
def test_dev_deploys_answers_shows_no_changes_and_destroys(tmp_path: Path) -> None:
    driver = default_driver()
    backend = tmp_path / "state"
    try:
        deployed = driver.up("dev", local_backend=backend)
        assert deployed.error is None
        assert answers(str(deployed.outputs["siteUrl"])) == 200
        assert answers(str(deployed.outputs["apiUrl"]).rstrip("/") + "/api/health") == 200
        again = driver.preview("dev", local_backend=backend)
        assert set(again.changes) <= {"same"}, again.changes
    finally:
        assert driver.destroy("dev", local_backend=backend).error is None
