"""Committed SVG diagrams carry their icons (no path into a checkout's .venv)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from PIL import Image

from offline.diagram import DOCS
from offline.svg_icons import ID_PREFIX, UnknownImageForm, embed_icons

FILE_HREF = re.compile(r'xlink:href="(?!data:|#)')


def _svg(icon: Path, *positions: tuple[str, str]) -> str:
    images = "".join(
        f'<image xlink:href="{icon}" width="101px" height="101px" '
        f'preserveAspectRatio="xMinYMin meet" x="{x}" y="{y}"/>\n'
        for x, y in positions
    )
    return f'<svg width="10pt" height="10pt" xmlns:xlink="http://www.w3.org/1999/xlink">\n{images}</svg>\n'


def test_each_icon_is_embedded_once_and_drawn_where_graphviz_put_it(tmp_path: Path) -> None:
    icon = tmp_path / "lambda.png"
    Image.new("RGBA", (256, 256), (255, 153, 0, 255)).save(icon)
    out = embed_icons(_svg(icon, ("334", "-4145.5"), ("489", "-3957.5")))
    assert not FILE_HREF.search(out) and '<image xlink:href="/' not in out
    assert out.count("<image ") == 1  # one definition for both places
    assert f'<use xlink:href="#{ID_PREFIX}0" x="334" y="-4145.5"/>' in out
    assert f'<use xlink:href="#{ID_PREFIX}0" x="489" y="-3957.5"/>' in out
    data = re.search(r'xlink:href="data:image/png;base64,([^"]+)"', out)
    assert data is not None
    png = base64.b64decode(data[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "embedded.png").write_bytes(png)
    with Image.open(tmp_path / "embedded.png") as embedded:
        assert embedded.size == (202, 202)  # twice the drawn size, not the file's 256


def test_an_image_in_another_form_is_refused_not_left_pointing_at_a_file() -> None:
    odd = '<svg><image href="/x/icon.png" x="0" y="0"/></svg>'
    with pytest.raises(UnknownImageForm):
        embed_icons(odd)


@pytest.mark.parametrize("name", ["dev.svg", "prod.svg", "overview.svg", "overview-dev.svg"])
def test_the_committed_diagrams_hold_no_file_references(name: str) -> None:
    svg = (DOCS / name).read_text()
    assert not FILE_HREF.search(svg), f"{name}: run ./shop3d diagram and commit docs/"
    assert "<use " in svg  # the icons are there, drawn from <defs>
