"""The bench's network profiles and page variants: one place, read by the bench and rendered in
docs/pages.md.

Slow 4G is Lighthouse's mobile Slow 4G (1.6 Mbps down, 750 kbps up, 150 ms RTT: the issue's and
web.dev's reference phone link); the fast profile is a good home line. Chromium applies them
through CDP's Network.emulateNetworkConditions (latency added per request, throughput capped).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from handlers.pages.app import PAGE_CACHE_CONTROL
from handlers.shared.routes import FIRST_LOD_HEADER


@dataclass(frozen=True)
class Profile:
    name: str
    latency_ms: int
    down_kbps: int
    up_kbps: int
    # What Chromium reports as ECT for this link (NetInfo's table: 4g unless the RTT is at least
    # 270 ms or the downlink under 700 kbps; https://wicg.github.io/netinfo/#effective-connection-types).
    ect: str

    @property
    def downlink_hint(self) -> str:
        """The Downlink hint Chromium sends: Mbps, rounded to 25 kbps, capped at 10 (NetInfo)."""
        return f"{min(round(self.down_kbps / 25) * 25, 10_000) / 1000:g}"


PROFILES: Final = (
    Profile("Slow 4G", latency_ms=150, down_kbps=1600, up_kbps=750, ect="4g"),
    Profile("Fast", latency_ms=20, down_kbps=20000, up_kbps=5000, ect="4g"),
)
# The bench's phone: a mid-range handset (4 GB, DPR 2), as its hints say.
DEVICE_MEMORY_GB: Final = 4
DPR: Final = 2
FIXED_FIRST_LOD: Final = "preview-512"  # the edge function's default choice


@dataclass(frozen=True)
class Variant:
    name: str
    what: str
    spa_shell: bool  # the document is the storefront's shell: no server HTML, poster, preloads
    together: bool  # the old loading order: preview and standard fetched at once
    hints: bool  # the first LOD chosen from the phone's hints, else `first_lod`
    first_lod: str = FIXED_FIRST_LOD

    def headers(self, profile: Profile) -> dict[str, str]:
        if self.hints:
            return {
                "ECT": profile.ect,
                "Downlink": profile.downlink_hint,
                "Device-Memory": str(DEVICE_MEMORY_GB),
                "DPR": str(DPR),
            }
        return {FIRST_LOD_HEADER: self.first_lod}

    def query(self) -> str:
        return "?lods=together" if self.together else ""  # productViewer.ts LOD_ORDER_PARAM


BASELINE: Final = Variant(
    "baseline",
    "the single-page app's order: the shell, then the product from the API, the manifest, "
    "preview and standard fetched together; no poster",
    spa_shell=True,
    together=True,
    hints=False,
)
VARIANTS: Final = (
    BASELINE,
    Variant(
        "pages, LODs together",
        "server HTML with the poster and the preloads; preview and standard still together",
        spa_shell=False,
        together=True,
        hints=False,
    ),
    Variant(
        "pages",
        "server HTML, poster, preloads; the preview fetched alone first (what ships)",
        spa_shell=False,
        together=False,
        hints=False,
    ),
    Variant(
        "pages, standard first",
        "as `pages`, the standard LOD first whatever the link (what ECT alone would choose "
        "for this phone)",
        spa_shell=False,
        together=False,
        hints=False,
        first_lod="standard-1024",
    ),
    Variant(
        "pages, edge choice",
        "as `pages`, the first LOD chosen from the phone's hints (ECT, Downlink, Device-Memory, "
        "DPR: the edge function's decision) instead of the fixed preview",
        spa_shell=False,
        together=False,
        hints=True,
    ),
)
SHIPPED: Final = "pages"


@dataclass(frozen=True)
class Visit:
    """A load after a first visit of `SHIPPED`, in the same browser context (its cache kept)."""

    name: str
    what: str
    other_product: bool  # another product's page, else the same page reloaded


AGAIN: Final = Visit(
    "again",
    "the same page reloaded: the HTML from the network (as once its own lifetime, "
    f"`{PAGE_CACHE_CONTROL}`, has passed), everything else as its Cache-Control says",
    other_product=False,
)
NEXT_PRODUCT: Final = Visit(
    "next product",
    "then the other product's page (a search result or a shared link opened): its HTML, "
    "manifest, poster and LODs are new, the storefront code and decoders are not",
    other_product=True,
)
VISITS: Final = (AGAIN, NEXT_PRODUCT)
