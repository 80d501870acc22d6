"""Import a catalog file and report every row: imported ones and rejected ones with why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from catalog_import.client import AdminApi, ImportError_
from catalog_import.rows import parse


@dataclass
class Report:
    imported: list[tuple[int, str, str]] = field(default_factory=list)  # row, sku, what
    rejected: list[tuple[int, str | None, str]] = field(default_factory=list)  # row, sku, why

    def lines(self) -> list[str]:
        out = [f"row {n}: {sku} {what}" for n, sku, what in self.imported]
        out += [f"row {n}: REJECTED {sku or '(no sku)'}: {why}" for n, sku, why in self.rejected]
        out.append(f"{len(self.imported)} imported, {len(self.rejected)} rejected")
        return out


def import_file(path: Path, api: AdminApi, say: Callable[[str], None] = lambda _: None) -> Report:
    parsed = parse(path)
    report = Report()
    for bad in parsed.rejected:
        report.rejected.append((bad.number, bad.sku, "; ".join(bad.reasons)))
    for row in parsed.rows:
        body = row.product.model_dump(exclude_none=True)
        try:
            outcome = api.upsert(body)
            if row.model is not None:
                api.upload(row.product.sku, row.model)
                outcome += f", model {row.model.name} uploaded"
        except ImportError_ as error:
            report.rejected.append((row.number, row.product.sku, str(error)))
            continue
        report.imported.append((row.number, row.product.sku, outcome))
        say(f"row {row.number}: {row.product.sku} {outcome}")
    report.rejected.sort()
    return report
