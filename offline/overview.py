"""The overview picture: the architecture a reader takes in at a glance, drawn from the same
program run as the full diagram (offline/diagram.py) by folding its nodes into parts.

The edge sits on top (Route 53, CloudFront with WAF, the Cognito pool every cell trusts), the
regions side by side as identical cells (one node per part: ALB, cart Lambda, web tier, Redis,
asset pipeline), and the global data layer across them (DynamoDB global tables, the Aurora
global database, the replicated S3 buckets, the multi-region KMS keys). Every node of the full
diagram is folded into one part or dropped on purpose (account security, alarms, dead-letter
queues); a node neither claims fails the model, so nothing is lost silently. Edges are the
full diagram's connections between parts, kept only where they are a request or data path.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offline.runner import ProgramRun
from offline.svg_icons import embed_icons_in_file

KMS_KEYS = ("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey")
EDGE, CELL, DATA = "edge", "cell", "data"
SHOPPERS = "shoppers"


@dataclass(frozen=True)
class Part:
    kind: str
    layer: str  # edge (once), cell (once per region) or data (once, across the regions)
    title: str
    icon: str
    # A regex of the shop3d components whose nodes it gathers ("cell" for RegionalCell).
    component: str
    services: tuple[str, ...]
    names: str = ""  # a regex the node's short name must match ("" = any)


PARTS = (
    Part(
        # The zone exists before the stack; what the stack has in Route 53 is its records
        # (edge) and each cell's health check.
        "route53",
        EDGE,
        "Route 53\nlatency, failover",
        "aws.network.Route53",
        "edge|cell",
        ("Route 53",),
    ),
    Part(
        "cdn",
        EDGE,
        "CloudFront + WAF\nsite, /assets, /api",
        "aws.network.CloudFront",
        "edge",
        ("CloudFront", "WAF", "S3"),
    ),
    Part(
        "identity",
        EDGE,
        "Cognito\nuser pool",
        "aws.security.Cognito",
        "identity",
        ("Cognito", "Lambda"),
    ),
    Part("alb", CELL, "ALB", "aws.network.ElbApplicationLoadBalancer", "cell", ("ALB",)),
    Part(
        "cart",
        CELL,
        "cart Lambda\n/api/*",
        "aws.compute.Lambda",
        "cell",
        ("Lambda",),
        # The search projection runs the cart's code on the catalog stream.
        r"cart.*|search-projection",
    ),
    Part(
        "web",
        CELL,
        "web tier\non-demand + spot",
        "aws.compute.EC2AutoScaling",
        "cell",
        ("EC2 Auto Scaling",),
    ),
    Part(
        "redis",
        CELL,
        "Redis\ncatalog cache",
        "aws.database.ElasticacheForRedis",
        "cell",
        ("ElastiCache",),
    ),
    Part(
        "asset",
        CELL,
        "asset pipeline\nSQS -> Lambda / Batch",
        "aws.compute.Batch",
        # The images component holds each region's repositories (components/images).
        "cell|images",
        ("Lambda", "SQS", "Batch", "ECR"),
        r"asset.*|batch.*|render.*",
    ),
    Part(
        "orders",
        CELL,
        "order events\nbus -> SQS -> SES; expiry",
        "aws.integration.Eventbridge",
        "cell",
        ("Lambda", "EventBridge", "SQS", "SES", "EventBridge Scheduler", "IAM"),
        r"order.*|notifications.*",
    ),
    Part(
        "dynamodb",
        DATA,
        "DynamoDB\nglobal tables",
        "aws.database.Dynamodb",
        "data",
        ("DynamoDB",),
    ),
    Part(
        "aurora",
        DATA,
        "Aurora PostgreSQL\nglobal database",
        "aws.database.Aurora",
        "data",
        ("Aurora",),
    ),
    Part("s3", DATA, "S3\nreplicated buckets", "aws.storage.S3", "data", ("S3",)),
    Part("kms", DATA, "KMS\nmulti-region keys", "aws.security.KMS", "data", ("KMS",)),
)

# Left out of the overview on purpose (the full diagram draws them): account security, the
# alarm topics, the dead-letter queue every cell Lambda shares.
DROPPED = (
    Part("security", CELL, "", "", "security", ("S3", "Backup", "GuardDuty", "CloudTrail")),
    Part("alarms", CELL, "", "", "cell", ("SNS",)),
    Part("dlq", CELL, "", "", "cell", ("SQS",), r"lambda-dlq"),
)

# The paths a reader needs, with what travels on them. A pair is drawn only where the program
# connects the two parts; the shoppers' entry is the one edge the program cannot show.
PATHS: dict[tuple[str, str], str] = {
    (SHOPPERS, "route53"): "DNS",
    (SHOPPERS, "cdn"): "HTTPS",
    (SHOPPERS, "identity"): "sign-in",
    ("route53", "alb"): "api.<domain>: nearest healthy cell",
    ("cdn", "alb"): "/api/*",
    ("cdn", "s3"): "/assets/*",
    ("alb", "cart"): "",
    ("alb", "web"): "",
    ("cart", "redis"): "",
    ("cart", "dynamodb"): "carts",
    ("cart", "aurora"): "checkout",
    ("cart", "orders"): "outbox",
    ("asset", "s3"): "models -> LODs",
    ("asset", "dynamodb"): "catalog",
}


def _short(node_id: str, region: str) -> str:
    name = node_id.split("/", 1)[1]
    return name.split(f"-{region}-", 1)[1] if f"-{region}-" in name else name.split("-", 1)[-1]


def _part_of(node_id: str, node: dict[str, str]) -> Part | None:
    """The part that gathers a full-diagram node; None when it is dropped on purpose."""
    scope, component = node["cluster"].split("/")
    short = _short(node_id, scope)
    for part in (*PARTS, *DROPPED):
        if (
            re.fullmatch(part.component, component)
            and node["service"] in part.services
            and re.fullmatch(part.names or ".*", short)
        ):
            return part if part in PARTS else None
    raise ValueError(
        f"overview: no part gathers {node_id} ({node['service']} in {component}): "
        "add it to PARTS or DROPPED in offline/overview.py"
    )


def _node_id(part: Part, region: str) -> str:
    return f"{region}/{part.kind}" if part.layer == CELL else f"{part.layer}/{part.kind}"


def overview(diagram: dict[str, Any], run: ProgramRun) -> dict[str, Any]:
    """Fold the full diagram model into parts: plain sorted data, compared by a test."""
    members: dict[str, list[str]] = defaultdict(list)
    parts: dict[str, Part] = {}
    of: dict[str, str] = {}
    for node_id, node in diagram["nodes"].items():
        part = _part_of(node_id, node)
        if part is None:
            continue
        overview_id = _node_id(part, node_id.split("/")[0])
        members[overview_id].append(node_id)
        parts[overview_id] = part
        of[node_id] = overview_id
    kms = next(p for p in PARTS if p.kind == "kms")
    # The data keys; the zone's DNSSEC signing key (the edge's) is Route 53's detail.
    for key in run.resources:
        if key.type_ in KMS_KEYS and "GlobalData" in (key.parent or ""):
            members[_node_id(kms, "")].append(f"{key.region}/{key.name}")
            parts[_node_id(kms, "")] = kms
    kinds = {overview_id: part.kind for overview_id, part in parts.items()}
    edges: dict[tuple[str, str], str] = {}
    for left, right in diagram["edges"]:
        a, b = of.get(left), of.get(right)
        if a is None or b is None or a == b:
            continue
        for first, second in ((a, b), (b, a)):
            label = PATHS.get((kinds[first], kinds[second]))
            if label is not None:
                edges[(first, second)] = label
    for overview_id, kind in kinds.items():  # shoppers reach the edge: DNS, then HTTPS
        if (SHOPPERS, kind) in PATHS:
            edges[(SHOPPERS, overview_id)] = PATHS[(SHOPPERS, kind)]
    nodes: dict[str, dict[str, Any]] = {
        overview_id: {
            "kind": part.kind,
            "layer": part.layer,
            "region": overview_id.split("/")[0] if part.layer == CELL else "",
            "label": part.title,
            "icon": part.icon,
            "members": sorted(members[overview_id]),
        }
        for overview_id, part in parts.items()
    }
    order = {part.kind: index for index, part in enumerate(PARTS)}
    return {
        "stack": diagram["stack"],
        "regions": diagram["regions"],
        "nodes": dict(sorted(nodes.items(), key=lambda kv: (order[str(kv[1]["kind"])], kv[0]))),
        "edges": sorted([a, b, label] for (a, b), label in edges.items()),
    }


def overview_path(stack: str, docs: Path) -> Path:
    """prod is the shop as it runs, so its overview is docs/overview.*; others get a suffix."""
    return docs / ("overview" if stack == "prod" else f"overview-{stack}")


GRAPH = {
    "fontsize": "22",
    "splines": "spline",
    "nodesep": "1.0",
    "ranksep": "0.7",
    "pad": "0.3",
    # newrank: a row (rank=same) may cross clusters; a low mclimit keeps the input order,
    # so every cell comes out the same way round and the primary stands first.
    "newrank": "true",
    "mclimit": "0.01",
}
ROW_KINDS = (("alb",), ("cart", "web"), ("redis", "asset"))
# Invisible edges that only lay a cell out: ALB on top, then cart and web tier, then Redis and
# the asset pipeline, with the data row under every cell.
LAYOUT_PAIRS = (("alb", "web"), ("web", "asset"), ("cart", "redis"))


def _edge_order(model: dict[str, Any]) -> list[list[str]]:
    """The edges in region order (primary first), so the cells stand in that order."""
    regions: list[str] = model["regions"]

    def key(edge: list[str]) -> tuple[int, list[str]]:
        ends = [model["nodes"].get(end, {}).get("region", "") for end in edge[:2]]
        return (min(regions.index(r) if r else len(regions) for r in ends), edge)

    return sorted(model["edges"], key=key)


def _rows(model: dict[str, Any]) -> list[list[str]]:
    nodes = model["nodes"]
    return [
        [i for i, n in nodes.items() if n["layer"] == EDGE],
        *([f"{r}/{kind}" for r in model["regions"] for kind in kinds] for kinds in ROW_KINDS),
        [i for i, n in nodes.items() if n["layer"] == DATA],
    ]


def _render(model: dict[str, Any], out_base: Path, fmt: str) -> Path:
    from diagrams import Cluster, Diagram, Edge
    from diagrams.onprem.client import Users

    from offline.diagram import icon_class

    primary = model["regions"][0]
    title = f"shop3d {model['stack']}: the edge, one identical cell per region, the global data"
    drawn: dict[str, Any] = {}
    with Diagram(
        title,
        filename=str(out_base),
        outformat=fmt,
        show=False,
        direction="TB",
        graph_attr=GRAPH,
        node_attr={"fontsize": "13"},
    ) as diagram:
        drawn[SHOPPERS] = Users(SHOPPERS, nodeid=SHOPPERS)
        groups = [("edge and identity (once per stack)", EDGE, "")]
        groups += [
            (f"RegionalCell {r} ({'primary' if r == primary else 'secondary'})", CELL, r)
            for r in model["regions"]
        ]
        groups.append(("GlobalData (across every region)", DATA, ""))
        for label, layer, region in groups:
            with Cluster(label):
                for overview_id, node in model["nodes"].items():
                    if node["layer"] == layer and node["region"] == region:
                        # Stable ids (not random ones): the same model lays out the same.
                        drawn[overview_id] = icon_class(node["icon"])(
                            node["label"], nodeid=overview_id
                        )
        for left, right, label in _edge_order(model):
            into_data = model["nodes"].get(right, {}).get("layer") == DATA
            # One cell's labels say it for all: the cells are identical.
            shown = label if model["nodes"].get(left, {}).get("region", "") in ("", primary) else ""
            colour = "#2b6cb0" if into_data else "gray25"
            drawn[left] >> Edge(label=shown, color=colour, fontsize="12") >> drawn[right]
        rows = _rows(model)
        for region in model["regions"]:
            pairs = [(f"{region}/{a}", f"{region}/{b}") for a, b in LAYOUT_PAIRS]
            pairs += [(f"{region}/{a}", d) for a in ("redis", "asset") for d in rows[-1]]
            for upper, lower in pairs:
                if upper in drawn and lower in drawn:
                    drawn[upper] >> Edge(style="invis") >> drawn[lower]
        for row in rows:
            present = [f'"{i}"' for i in row if i in drawn]
            if len(present) > 1:
                chain = " -> ".join(present)
                diagram.dot.body.append(f"{{rank=same; {chain} [style=invis]}}")
    return out_base.with_suffix(f".{fmt}")


def draw_overview(model: dict[str, Any], out_base: Path) -> list[Path]:
    """Render to <out_base>.png and .svg: edge on top, cells side by side, data across."""
    return [_render(model, out_base, "png"), embed_icons_in_file(_render(model, out_base, "svg"))]
