"""`python -m ci <command>`: see ci.cli."""

from __future__ import annotations

import sys

from ci.cli import main

sys.exit(main())
