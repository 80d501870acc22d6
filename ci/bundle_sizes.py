"""The storefront's built files and their sizes (raw and gzipped, as CloudFront compresses
them), written into docs/storefront.md: `python -m ci.bundle_sizes --write-docs`.

Names lose their content hash (`main-DvtGNEZm.js` -> `main.js`): a rebuild of the same source
gives the same table, so a test can compare the committed table with the current build.
"""

from __future__ import annotations

import argparse
import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from local.storefront_build import STOREFRONT
from offline.doc_blocks import DOCS, GeneratedBlock

BLOCK = GeneratedBlock(
    DOCS / "storefront.md", "bundle-sizes", "python -m ci.bundle_sizes --write-docs"
)
_HASHED = re.compile(r"^(?P<stem>.+)-[A-Za-z0-9_-]{8}(?P<suffix>\.[a-z0-9]+)$")
# Loaded on every page (preload-helper: Vite's helper for main.js's lazy imports), or only where
# a model is shown (the viewer's chunks, decoders), or later (the chunks main.ts and the viewer
# import lazily: storefront/src/main.ts `later`, viewer/gltf.ts, viewer/modelViewer.ts).
_EVERY_PAGE = ("main.js", "main.css", "preload-helper.js")
_LATER = {
    "OrbitControls.js": "where a model is shown, after its first frame",
    "meshopt_decoder.module.js": "where a model is shown, only if it is meshopt-compressed",
    "account.js": "on the account pages",
    "accounts.js": "on the account and admin pages",
    "admin.js": "on the admin pages",
    "order.js": "on an order's page",
    "payment.js": "on the payment step",
    "searchPage.js": "on the search page",
}


@dataclass(frozen=True)
class BuiltFile:
    name: str
    size: int
    gzipped: int


def built_files(dist: Path = STOREFRONT / "dist") -> list[BuiltFile]:
    files = []
    for path in sorted((dist / "static").iterdir()):
        match = _HASHED.match(path.name)
        name = match["stem"] + match["suffix"] if match else path.name
        data = path.read_bytes()
        files.append(BuiltFile(name, len(data), len(gzip.compress(data, 9, mtime=0))))
    # Same-named files (one decoder per importing chunk) are listed once each, in size order.
    return sorted(files, key=lambda f: (f.name not in _EVERY_PAGE, f.name, f.size))


def _kb(size: int) -> str:
    return f"{size / 1000:.1f} kB"


def _loaded(name: str) -> str:
    if name in _EVERY_PAGE:
        return "every page"
    if name in _LATER:
        return _LATER[name]
    if name == "poster.js":
        return "by the poster renderer only"
    if name.startswith("draco_"):
        # Shipped copies the Draco loader picks from (WebAssembly where supported).
        return "where a model is shown, if the Draco loader picks it"
    return "where a model is shown"


def render(files: list[BuiltFile]) -> str:
    lines = [
        "| file (hash left out) | loaded | size | gzipped |",
        "|---|---|---|---|",
    ]
    for f in files:
        loaded = _loaded(f.name)
        lines.append(f"| `{f.name}` | {loaded} | {_kb(f.size)} | {_kb(f.gzipped)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-docs", action="store_true", help="write the table into the docs")
    table = render(built_files())
    if parser.parse_args(argv).write_docs:
        BLOCK.write(table)
    print(table)


if __name__ == "__main__":
    main()
