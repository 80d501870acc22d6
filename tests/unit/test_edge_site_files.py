"""The storefront build as S3 objects: which files, which content types, which cache-control."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.edge.site_files import (
    SiteBuildMissing,
    cache_control,
    content_type,
    site_files,
)
from handlers.shared.cache_control import IMMUTABLE, REVALIDATE


def write(root: Path, key: str, text: str = "x") -> None:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_hashed_files_under_static_are_immutable_and_the_rest_revalidates():
    assert cache_control("static/index-CgS_nISI.js") == IMMUTABLE
    assert cache_control("static/draco_decoder-Z1_iN-Ht.wasm") == IMMUTABLE
    assert cache_control("index.html") == REVALIDATE
    # Not hashed, or hashed-looking but outside Vite's assetsDir: may change between deploys.
    assert cache_control("static/logo.svg") == REVALIDATE
    assert cache_control("robots-AbCdEf12.txt") == REVALIDATE


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("static/index-CgS_nISI.js", "text/javascript"),
        ("static/index-CFXyEcaj.css", "text/css; charset=utf-8"),
        ("static/draco_decoder-Z1_iN-Ht.wasm", "application/wasm"),
        ("static/chair-AbCdEf12.glb", "model/gltf-binary"),
        ("static/unknown-AbCdEf12.zzz", "application/octet-stream"),
    ],
)
def test_content_types(name, expected):
    assert content_type(name) == expected


def test_site_files_lists_every_file_in_key_order_and_skips_dotfiles(tmp_path):
    write(tmp_path, "index.html", "<!doctype html>")
    write(tmp_path, "static/index-CgS_nISI.js")
    write(tmp_path, "static/.DS_Store")
    write(tmp_path, ".vite/manifest.json")
    files = site_files(tmp_path, "storefront/dist")
    assert [f.key for f in files] == ["index.html", "static/index-CgS_nISI.js"]
    assert files[0].path == tmp_path / "index.html"
    assert [f.cache_control for f in files] == [REVALIDATE, IMMUTABLE]


def test_a_missing_build_says_how_to_build_it(tmp_path):
    with pytest.raises(SiteBuildMissing) as error:
        site_files(tmp_path / "dist", "storefront/dist")
    message = str(error.value)
    assert "shop3d:storefrontDist" in message
    assert "npm ci && npm run build" in message
    assert "'skip'" in message


def test_a_build_without_index_html_is_refused(tmp_path):
    write(tmp_path, "static/index-CgS_nISI.js")
    with pytest.raises(SiteBuildMissing, match=r"no index\.html"):
        site_files(tmp_path, "out")
