"""The committed architecture diagram matches the program (its model, not graphviz's bytes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline.diagram import DOCS, draw, model, model_path
from tests.unit.conftest import ProgramFactory


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_diagram_matches_the_program(program: ProgramFactory, stack: str) -> None:
    path = model_path(stack)
    assert path.exists(), f"{path} missing: run ./shop3d diagram"
    committed = json.loads(path.read_text())
    now = model(program(stack))
    assert now == committed, (
        f"docs/{stack}.diagram.json no longer matches the program: run ./shop3d diagram "
        f"{stack} and commit docs/. Nodes added: "
        f"{sorted(set(now['nodes']) - set(committed['nodes']))}, removed: "
        f"{sorted(set(committed['nodes']) - set(now['nodes']))}"
    )
    for image in ("png", "svg"):
        assert (DOCS / f"{stack}.{image}").stat().st_size > 0


def test_diagram_edges_follow_the_graph_not_shared_plumbing(program: ProgramFactory) -> None:
    diagram = model(program("prod", {"webTier": True}))
    edges = {tuple(e) for e in diagram["edges"]}
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        cell = f"{region}/cell-{region}"
        assert (f"{cell}-alb", f"{cell}-cart") in edges  # listener rule -> target group
        assert (f"{cell}-alb", f"{cell}-web-asg") in edges
        assert (f"{cell}-asset", f"{cell}-asset-queue") in edges  # event source mapping
        assert (f"{cell}-asset-queue", f"{region}/data-{region}-uploads") in edges
        # Two targets of one ALB are not joined through the shared listener.
        assert (f"{cell}-cart", f"{cell}-web-asg") not in edges
    assert ("global/edge-cdn", "global/edge-waf") in edges
    assert not any(n["service"] == "KMS" for n in diagram["nodes"].values())
    assert diagram["clusters"][0].startswith("us-east-1/")


def test_diagram_model_follows_config(program: ProgramFactory) -> None:
    nodes = model(program("dev", {"webTier": False}))["nodes"]
    assert not any(n["service"] == "EC2 Auto Scaling" for n in nodes.values())
    assert any(n["service"] == "Lambda" for n in nodes.values())


def test_draw_renders_png_and_svg_with_the_model_labels(
    program: ProgramFactory, tmp_path: Path
) -> None:
    diagram = model(program("dev"))
    made = draw(diagram, tmp_path / "dev")
    assert sorted(p.suffix for p in made) == [".png", ".svg"]
    svg = (tmp_path / "dev.svg").read_text()
    assert ">Lambda<" in svg and ">cart<" in svg  # service over short name, as modelled
    assert svg.count('<g id="node') >= len(diagram["nodes"])
    assert (tmp_path / "dev.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
