"""pulumi-policy entry point: `pulumi preview --policy-pack policy` runs this file."""

from __future__ import annotations

import sys
from pathlib import Path

# Started as a script, policy/ is sys.path[0], where its modules could shadow the standard
# library's; replace it with the repository root so `policy.*` resolves to this package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from policy.pack import build_pack  # noqa: E402 (needs the path set above)

build_pack()
