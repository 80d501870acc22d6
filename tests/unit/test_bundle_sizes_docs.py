"""The storefront's file sizes in docs/storefront.md are the current build's, as
`python -m ci.bundle_sizes --write-docs` writes them (the build is made by ./shop3d setup)."""

from __future__ import annotations

from ci import bundle_sizes


def test_the_bundle_size_table_in_the_docs_is_the_current_builds() -> None:
    files = bundle_sizes.built_files()
    assert {"main.js", "main.css", "modelViewer.js"} <= {f.name for f in files}
    assert bundle_sizes.BLOCK.body() == bundle_sizes.render(files), (
        "the storefront's build changed: run python -m ci.bundle_sizes --write-docs"
    )


def test_sizes_are_measured_not_assumed() -> None:
    (main,) = [f for f in bundle_sizes.built_files() if f.name == "main.js"]
    assert 0 < main.gzipped < main.size
