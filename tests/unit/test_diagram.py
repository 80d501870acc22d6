"""The committed architecture diagrams (the full one and the overview) match the program (their
models, not graphviz's bytes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline.diagram import DOCS, draw, model, model_path
from offline.overview import overview, overview_path
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


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_overview_matches_the_program(program: ProgramFactory, stack: str) -> None:
    base = overview_path(stack, DOCS)
    committed = json.loads(base.with_suffix(".json").read_text())
    run = program(stack)
    assert overview(model(run), run) == committed, (
        f"{base.name}.json no longer matches the program: run ./shop3d diagram {stack} "
        "and commit docs/"
    )
    for image in ("png", "svg"):
        assert base.with_suffix(f".{image}").stat().st_size > 0


def test_the_overview_draws_one_identical_cell_per_region_over_one_data_layer(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    summary = overview(model(run), run)
    nodes = summary["nodes"]
    cells = {
        region: sorted(n["kind"] for n in nodes.values() if n["region"] == region)
        for region in ("us-east-1", "eu-west-1", "ap-southeast-2")
    }
    # prod runs the web tier and no catalog cache by default (docs/plan-and-cost.md).
    assert set(map(tuple, cells.values())) == {("alb", "asset", "cart", "orders", "web")}
    everything = program("prod", {"webTier": True, "catalogCache": True})
    kinds = {
        tuple(
            sorted(
                n["kind"]
                for n in overview(model(everything), everything)["nodes"].values()
                if n["region"] == region
            )
        )
        for region in ("us-east-1", "eu-west-1", "ap-southeast-2")
    }
    assert kinds == {("alb", "asset", "cart", "orders", "redis", "web")}
    assert sorted(n["kind"] for n in nodes.values() if n["layer"] == "data") == [
        "aurora",
        "dynamodb",
        "kms",
        "s3",
    ]
    assert sorted(n["kind"] for n in nodes.values() if n["layer"] == "edge") == [
        "cdn",
        "identity",
        "route53",
    ]
    # The multi-region key: the primary and a replica in each other region.
    assert len(nodes["data/kms"]["members"]) == 3
    edges = {(a, b) for a, b, _ in summary["edges"]}
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        assert ("edge/route53", f"{region}/alb") in edges
        assert (f"{region}/cart", "data/dynamodb") in edges
        assert (f"{region}/cart", "data/aurora") in edges
        # The cart Lambda's code zip lives in the assets bucket: plumbing, not a path drawn.
        assert (f"{region}/cart", "data/s3") not in edges
    assert ("edge/cdn", "data/s3") in edges
    assert ("shoppers", "edge/cdn") in edges


def test_every_node_of_the_full_diagram_is_in_the_overview_or_dropped_on_purpose(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    full = model(run)
    gathered = {m for n in overview(full, run)["nodes"].values() for m in n["members"]}
    left_out = sorted(set(full["nodes"]) - gathered)
    assert left_out and all(
        "security" in n or n.endswith(("-alarms", "-lambda-dlq")) for n in left_out
    )
    unknown = {
        **full,
        "nodes": {
            **full["nodes"],
            "us-east-1/cell-x": dict(
                full["nodes"]["us-east-1/cell-us-east-1-alb"], service="Kinesis"
            ),
        },
    }
    with pytest.raises(ValueError, match="no part gathers us-east-1/cell-x"):
        overview(unknown, run)


def test_a_stack_without_a_web_tier_has_no_web_tier_in_its_overview(
    program: ProgramFactory,
) -> None:
    run = program("dev", {"webTier": False})
    kinds = {n["kind"] for n in overview(model(run), run)["nodes"].values()}
    assert "web" not in kinds and {"alb", "cart", "asset"} <= kinds
