"""One PNG of a GLB from the storefront's viewer page in headless Chromium (a node process:
playwright-core drives Debian's /usr/bin/chromium, or the render image's)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Final, Literal

from handlers.shared import env
from handlers.shared.posters import Background

Compute = Literal["gpu", "cpu"]
STOREFRONT: Final = Path(__file__).resolve().parents[3] / "storefront"
SCRIPT: Final = STOREFRONT / "tools" / "render_poster.mjs"
SITE: Final = STOREFRONT / "dist"
# A cold Chromium plus SwiftShader drawing the helmet at 1200 px: about 7 s measured here.
TIMEOUT_S: Final = 180.0


class PosterRenderFailed(RuntimeError):
    """Chromium did not produce an image; the message carries the renderer's own words."""


def compute_from_env() -> Compute:
    return "gpu" if os.environ.get(env.RENDER_COMPUTE) == "gpu" else "cpu"


def render_png(glb: Path, out: Path, px: int, background: Background, compute: Compute) -> bytes:
    if not (SITE / "poster.html").is_file():
        raise PosterRenderFailed(f"{SITE / 'poster.html'} is missing: build the storefront first")
    command = ["node", str(SCRIPT), str(SITE), str(glb), str(out), str(px), background, compute]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False, cwd=STOREFRONT
        )
    except subprocess.TimeoutExpired as exc:
        raise PosterRenderFailed(f"no image within {TIMEOUT_S:.0f} s") from exc
    if done.returncode != 0 or not out.is_file():
        raise PosterRenderFailed(done.stderr.strip()[-2000:] or f"exit status {done.returncode}")
    return out.read_bytes()
