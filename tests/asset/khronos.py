"""The Khronos glTF-Validator (npm gltf-validator, installed by `./shop3d setup` from the root
package.json), called through node: the reference check that a published GLB is valid glTF."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("khronos_validate.mjs")
SEVERITY_ERROR = 0  # the validator's severities: 0 error, 1 warning, 2 info, 3 hint


@dataclass(frozen=True)
class Report:
    errors: int
    warnings: int
    messages: list[str]

    def error_messages(self) -> list[str]:
        return [m for m in self.messages if m.startswith(f"{SEVERITY_ERROR} ")]


def validate_glbs(glbs: dict[str, bytes]) -> dict[str, Report]:
    """One validator run over several GLBs (node starts once), keyed as given."""
    with tempfile.TemporaryDirectory(prefix="gltf-validator-") as tmp:
        paths = {}
        for n, (key, data) in enumerate(glbs.items()):
            paths[key] = Path(tmp) / f"{n}.glb"
            paths[key].write_bytes(data)
        result = subprocess.run(
            ["node", str(SCRIPT), *map(str, paths.values())],
            cwd=REPO,  # node resolves gltf-validator from the root node_modules
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
    raw = json.loads(result.stdout)
    return {key: Report(**raw[str(path)]) for key, path in paths.items()}
