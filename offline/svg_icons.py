"""Self-contained SVG diagrams: graphviz writes each icon as an `<image>` pointing at a PNG file
of the `diagrams` package, an absolute path into the drawing checkout's .venv that no reader of
the committed SVG has (and that changes from checkout to checkout). Each distinct icon becomes
one data URI in `<defs>`, scaled to twice its drawn size, and every place it is drawn a `<use>`.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Final

from PIL import Image

# The one form graphviz 2.x/7.x writes a node's image in (anything else is refused below).
IMAGE: Final = re.compile(
    r'<image xlink:href="(?P<href>[^"]+)" width="(?P<w>\d+)px" height="(?P<h>\d+)px" '
    r'preserveAspectRatio="(?P<aspect>[^"]+)" x="(?P<x>[^"]+)" y="(?P<y>[^"]+)"/>'
)
SVG_OPEN: Final = re.compile(r"<svg\b[^>]*>")
PIXELS_PER_UNIT: Final = 2  # sharp on a DPR-2 screen, a fraction of the icons' 256 px
ICON_COLOURS: Final = 64
ID_PREFIX: Final = "shop3d-icon-"  # apart from graphviz's own ids (graph0, node1, edge1, clust1)


class UnknownImageForm(ValueError):
    """The SVG holds an `<image>` this module does not know how to embed."""


def png_data_uri(path: Path, width: int, height: int) -> str:
    with Image.open(path) as source:
        icon = source.convert("RGBA")
    icon.thumbnail((width * PIXELS_PER_UNIT, height * PIXELS_PER_UNIT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A palette (alpha kept): the icons are flat colours, and it is a fifth of the RGBA bytes.
    icon.quantize(ICON_COLOURS, method=Image.Quantize.FASTOCTREE).save(out, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def embed_icons(svg: str) -> str:
    """The SVG with its file-referencing icons embedded once each."""
    ids: dict[tuple[str, str, str, str], str] = {}
    defs: list[str] = []

    def use(match: re.Match[str]) -> str:
        key = (match["href"], match["w"], match["h"], match["aspect"])
        if key not in ids:
            ids[key] = f"{ID_PREFIX}{len(ids)}"
            data = png_data_uri(Path(match["href"]), int(match["w"]), int(match["h"]))
            defs.append(
                f'<image id="{ids[key]}" xlink:href="{data}" width="{match["w"]}px" '
                f'height="{match["h"]}px" preserveAspectRatio="{match["aspect"]}"/>'
            )
        return f'<use xlink:href="#{ids[key]}" x="{match["x"]}" y="{match["y"]}"/>'

    body = IMAGE.sub(use, svg)
    if "<image " in body:
        raise UnknownImageForm("an <image> not in graphviz's usual form: update offline/svg_icons")
    opening = SVG_OPEN.search(body)
    if opening is None:
        raise UnknownImageForm("no <svg> element")
    if not defs:
        return body
    at = opening.end()
    return body[:at] + "\n<defs>\n" + "\n".join(defs) + "\n</defs>" + body[at:]


def embed_icons_in_file(path: Path) -> Path:
    path.write_text(embed_icons(path.read_text()))
    return path
