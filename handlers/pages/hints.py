"""The first LOD and texture size for a shopper, from the browser's hints (Save-Data,
Device-Memory, DPR, ECT, Downlink: https://wicg.github.io/netinfo/, https://www.w3.org/TR/device-memory/).

At the edge the CloudFront Function components/edge/first_lod.js decides and sends the choice as
FIRST_LOD_HEADER; locally (no edge) the renderer runs this same decision. Tests run both on one
table of hints. The page preloads the chosen LOD and embeds the choice for the viewer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from handlers.shared.routes import FIRST_LOD_HEADER

CHOICES: Final = ("preview-256", "preview-512", "standard-1024")
# Asked for by every page (Accept-CH); Chromium sends Save-Data and ECT unasked.
ACCEPT_CH: Final = "Save-Data, Device-Memory, DPR, ECT, Downlink, Sec-CH-Device-Memory, Sec-CH-DPR"
# ECT is 4g from 270 ms RTT and 700 kbps down (Slow 4G included): the standard LOD goes first only
# on a downlink (Mbps, Chromium caps the hint at 10) that brings it in about as fast as the
# preview on Slow 4G. bench/pages measured standard-first on Slow 4G: the first frame twice as late.
FAST_DOWNLINK_MBPS: Final = 5.0
_SLOW: Final = frozenset({"slow-2g", "2g", "3g"})


_LEADING_NUMBER: Final = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)")


def _number(text: str) -> float:
    """JavaScript's parseFloat: the leading number, NaN without one (as the edge reads it)."""
    found = _LEADING_NUMBER.match(text)
    return float(found.group()) if found else float("nan")


def first_lod(headers: Mapping[str, str]) -> str:
    """headers: lower-case names. One of CHOICES."""

    def hint(name: str) -> str:
        return headers.get(name, "").strip().lower()

    save_data = hint("save-data") == "on"
    ect = hint("ect")
    memory = _number(hint("device-memory") or hint("sec-ch-device-memory"))
    dpr = _number(hint("dpr") or hint("sec-ch-dpr"))
    downlink = _number(hint("downlink"))
    if save_data or ect in _SLOW or 0 < memory < 2:
        return "preview-256"
    if ect == "4g" and downlink >= FAST_DOWNLINK_MBPS and memory >= 4 and dpr >= 2:
        return "standard-1024"
    return "preview-512"


def chosen_lod(headers: Mapping[str, str]) -> str:
    """The edge's choice when it made one, else the same decision made here."""
    edge = headers.get(FIRST_LOD_HEADER, "")
    return edge if edge in CHOICES else first_lod(headers)
