"""Write Pulumi.yaml from regions/keys.py, so `pulumi config` users see every key with its
type, description and default. Run: `python -m regions.schema` (or `./shop3d config-schema`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from regions.keys import KEYS, NAMESPACE, KeySpec, preset_sentinel

PROJECT_FILE = Path(__file__).resolve().parent.parent / "Pulumi.yaml"
HEADER = "# Generated from regions/keys.py by `./shop3d config-schema`: edit the table there.\n"


def _declaration(spec: KeySpec) -> dict[str, Any]:
    declaration: dict[str, Any] = {"type": spec.schema_type}
    description = spec.description
    if spec.from_preset:
        description += (f" Default {preset_sentinel(spec.schema_type)!r}: the environment "
                        "preset's value (regions/presets.py).")
    declaration["description"] = description
    if spec.schema_type == "array":
        declaration["items"] = {"type": "string"}
    default = preset_sentinel(spec.schema_type) if spec.from_preset else spec.default
    if default is not None:
        declaration["default"] = list(default) if isinstance(default, tuple) else default
    return declaration


def project_file() -> dict[str, Any]:
    return {
        "name": "shop3d",
        "description": "Multi-region AWS platform for a global 3D e-commerce web app",
        "runtime": {
            "name": "python",
            "options": {"toolchain": "uv", "virtualenv": ".venv"},
        },
        "config": {f"{NAMESPACE}:{spec.key}": _declaration(spec) for spec in KEYS},
    }


def render() -> str:
    return HEADER + yaml.safe_dump(project_file(), sort_keys=False, width=100)


def main() -> int:
    PROJECT_FILE.write_text(render())
    print(f"wrote {PROJECT_FILE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
