"""The asset CLI in a fresh interpreter, as the Batch job and a person run it: nothing of the
pipeline's native libraries (USD's pxr, meshoptimizer's ctypes library) is loaded before its
encoder threads start. Run in-process, other tests have loaded them already, which hid a
deadlock: two encoder threads loading them at once hung every meshopt run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.asset.gltf_factory import SHARED_MODELS

# The helmet takes about 5 s here; a hang is what this test is for.
TIMEOUT_SECONDS = 120


@pytest.mark.parametrize("compression", ["meshopt", "draco"])
def test_the_cli_finishes_in_a_fresh_process(tmp_path: Path, compression: str) -> None:
    out = tmp_path / "out"
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "handlers.asset",
                "--compression",
                compression,
                str(SHARED_MODELS / "DamagedHelmet.glb"),
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"python -m handlers.asset --compression {compression} hung ({TIMEOUT_SECONDS} s)"
        )
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert {lod["compression"] for lod in manifest["lods"]} == {compression}
    assert all((out / lod["url"]).stat().st_size > 0 for lod in manifest["lods"])
