"""pulumi-policy entry point: `pulumi preview --policy-pack policy` runs this file."""

from __future__ import annotations

import sys
from pathlib import Path

# The analyzer starts this file with policy/ as the working directory: make the repository
# root importable so `policy.*` resolves to this package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policy.pack import build_pack

build_pack()
