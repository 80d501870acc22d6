"""A browser flow script (playwright-core in node) run to its end: what it saw, as the JSON
document it prints last."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from local.servers import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts"
BROWSER_TIMEOUT_S = 300.0


def run_flow(flow: Path, *args: str) -> dict[str, Any]:
    """Run `node <flow> <args...> <artifacts dir>`; fails the test when the script failed."""
    node = shutil.which("node")
    assert node is not None, "node is not on PATH (Node.js 20+ is required)"
    result = subprocess.run(
        [node, str(flow), *args, str(ARTIFACTS)],
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT_S,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    seen: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert "failure" not in seen, json.dumps(seen, indent=1)
    return seen
