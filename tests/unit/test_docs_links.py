"""README.md and docs/ link to each other by relative paths and section anchors: every link
must land on a file that exists and, with an anchor, on a heading of that file (anchors as
GitHub derives them from headings: lower case, punctuation dropped, spaces to hyphens)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)


def anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {anchor(h) for h in HEADING.findall(page.read_text())}


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked offline
        path, _, fragment = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target}: no heading with that anchor")
    return broken


def test_the_anchor_of_a_heading_is_derived_as_github_does() -> None:
    assert anchor("RegionalCell limits") == "regionalcell-limits"
    assert (
        anchor(
            "Deterministic Lambda artifacts (`components/artifacts.py`, `ci/build_artifacts.py`)"
        )
        == "deterministic-lambda-artifacts-componentsartifactspy-cibuild_artifactspy"
    )


def test_every_relative_link_in_readme_and_docs_resolves() -> None:
    assert len(PAGES) > 1
    broken = {page.name: found for page in PAGES if (found := broken_links(page))}
    assert broken == {}
