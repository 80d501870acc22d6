"""Posters on the local platform: after each batch of the upload pump, every READY product
without posters is rendered by the same job the render queue runs in AWS (Debian's Chromium,
SwiftShader). A product whose render failed every attempt keeps READY without posters and is
tried again when the platform next starts."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from handlers.asset.catalog import MANIFEST_KEY, SKU, STATUS
from handlers.asset.posters.job import PosterJob, PosterOutcome, render_with_retries
from handlers.shared.posters import is_poster_manifest

logger = logging.getLogger(__name__)


def without_posters(table: Any) -> list[tuple[str, str]]:
    """(sku, manifest key) of every READY product whose manifest lists no posters."""
    found = []
    scan: dict[str, Any] = {}
    while True:
        page = table.scan(ConsistentRead=True, **scan)
        for item in page.get("Items", []):
            key = item.get(MANIFEST_KEY)
            ready = item.get(STATUS) == "READY" and isinstance(key, str)
            if ready and not is_poster_manifest(str(key).rpartition("/")[2]):
                found.append((str(item[SKU]), str(key)))
        if "LastEvaluatedKey" not in page:
            return sorted(found)
        scan = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


@dataclass
class PosterBackfill:
    job: PosterJob
    table: Any  # the catalog table (boto3 Table)
    given_up: set[str] = field(default_factory=set)  # manifest keys, until the next start
    outcomes: dict[str, PosterOutcome] = field(default_factory=dict)
    # The pump's thread and the start-up backfill may both call run: one render at a time.
    _running: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> int:
        """Render what is missing; returns how many products got posters."""
        with self._running:
            return self._run()

    def start_in_background(self) -> threading.Thread:
        """Products published before this start (kept assets) get theirs without a new upload."""
        thread = threading.Thread(target=self.run, name="posters", daemon=True)
        thread.start()
        return thread

    def _run(self) -> int:
        posted = 0
        for sku, manifest_key in without_posters(self.table):
            if manifest_key in self.given_up:
                continue
            outcome = render_with_retries(self.job, sku, manifest_key)
            self.outcomes[sku] = outcome
            if outcome.status == "FAILED":
                logger.warning("no poster for %s: %s", sku, outcome.detail)
                self.given_up.add(manifest_key)
            posted += outcome.status == "POSTED"
        return posted
