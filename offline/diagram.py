"""`diagram <stack>`: the architecture diagram drawn from the program's own resource graph.

Two steps, so that a test can check the drawing without graphviz: `model(run)` turns the
recorded resources into a deterministic model (nodes, clusters, edges as sorted JSON), and
`draw(model)` renders that model with the `diagrams` package (AWS icons, graphviz) to PNG and
SVG. `./shop3d diagram` writes docs/<stack>.diagram.json, docs/<stack>.png, docs/<stack>.svg,
and the overview folded from it (offline/overview.py: docs/overview.* for prod,
docs/overview-<stack>.* for the others); tests/unit/test_diagram.py fails when a committed
model no longer matches the program.

Nodes are the resources a reader thinks in (CloudFront, an ALB, a function, a table), one per
resource of those types. Edges join two nodes when they are connected through the dependency
graph by "glue" resources only (listeners, target groups, event source mappings,
notifications...); shared plumbing (IAM, KMS, security groups, secrets, logs, the VPC) is
never walked through, or every node would touch every other.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offline.overview import draw_overview, overview, overview_path
from offline.runner import ROOT, ProgramFailed, ProgramRun, RecordedResource, run_program
from offline.scope import GLOBAL, cell_regions, scope_of
from offline.svg_icons import embed_icons_in_file
from policy import tokens as t

DOCS = ROOT / "docs"


@dataclass(frozen=True)
class NodeKind:
    icon: str  # "<diagrams module>.<class>", e.g. "aws.network.CloudFront"
    service: str


# The resource types drawn as nodes. A type missing here is glue or plumbing.
NODE_KINDS: dict[str, NodeKind] = {
    t.HOSTED_ZONE: NodeKind("aws.network.Route53", "Route 53"),
    # The zone is created before the stack (bootstrap-zone): the health checks the records
    # carry are what the stack itself has in Route 53.
    t.HEALTH_CHECK: NodeKind("aws.network.Route53", "Route 53"),
    t.DISTRIBUTION: NodeKind("aws.network.CloudFront", "CloudFront"),
    t.WEB_ACL: NodeKind("aws.security.WAF", "WAF"),
    t.USER_POOL: NodeKind("aws.security.Cognito", "Cognito"),
    t.LOAD_BALANCER: NodeKind("aws.network.ElbApplicationLoadBalancer", "ALB"),
    t.AUTOSCALING_GROUP: NodeKind("aws.compute.EC2AutoScaling", "EC2 Auto Scaling"),
    t.FUNCTION: NodeKind("aws.compute.Lambda", "Lambda"),
    t.BATCH_COMPUTE_ENVIRONMENT: NodeKind("aws.compute.Batch", "Batch"),
    t.ECR_REPOSITORY: NodeKind("aws.compute.ECR", "ECR"),
    t.SQS_QUEUE: NodeKind("aws.integration.SQS", "SQS"),
    t.SNS_TOPIC: NodeKind("aws.integration.SNS", "SNS"),
    t.BUCKET: NodeKind("aws.storage.S3", "S3"),
    t.TABLE: NodeKind("aws.database.Dynamodb", "DynamoDB"),
    t.RDS_GLOBAL_CLUSTER: NodeKind("aws.database.Aurora", "Aurora"),
    t.RDS_CLUSTER: NodeKind("aws.database.Aurora", "Aurora"),
    t.REPLICATION_GROUP: NodeKind("aws.database.ElasticacheForRedis", "ElastiCache"),
    t.TRAIL: NodeKind("aws.management.Cloudtrail", "CloudTrail"),
    t.GUARDDUTY_DETECTOR: NodeKind("aws.security.Guardduty", "GuardDuty"),
    t.BACKUP_VAULT: NodeKind("aws.storage.Backup", "Backup"),
}

# Glue: resources that join two nodes (a listener rule joins an ALB to a target group, an event
# source mapping a queue to a function). Only these are walked when looking for connections;
# shared plumbing (IAM, KMS, security groups, secrets, logs, backup selections) is not, or
# every node would touch every other.
GLUE = frozenset(
    {
        t.LISTENER,
        t.LISTENER_RULE,
        t.TARGET_GROUP,
        t.TARGET_GROUP_ATTACHMENT,
        t.PERMISSION,
        t.EVENT_SOURCE_MAPPING,
        t.BUCKET_NOTIFICATION,
        t.BUCKET_REPLICATION,
        t.SQS_QUEUE_POLICY,
        t.SQS_REDRIVE_POLICY,
        t.BATCH_JOB_QUEUE,
        t.DNS_RECORD,
        t.WEB_ACL_ASSOCIATION,
    }
)


def _node_id(resource: RecordedResource, scope: str) -> str:
    return f"{scope}/{resource.name}"


def _label(resource: RecordedResource, kind: NodeKind) -> str:
    """'cell-us-east-1-cart' -> the service over 'cart': the cluster says region and component."""
    short = resource.name
    if resource.region and f"-{resource.region}-" in short:
        short = short.split(f"-{resource.region}-", 1)[1]
    return f"{kind.service}\n{short}"


def _component(resource: RecordedResource, by_urn: dict[str, RecordedResource]) -> str:
    """The top-level shop3d component a resource belongs to ('cell', 'data', 'edge'...)."""
    component = "other"
    parent = by_urn.get(resource.parent or "")
    while parent is not None:
        if parent.type_.startswith("shop3d:"):
            component = parent.type_.split(":")[1]
        parent = by_urn.get(parent.parent or "")
    return component


def _connections(
    start: RecordedResource, by_urn: dict[str, RecordedResource], neighbours: dict[str, set[str]]
) -> set[str]:
    """URNs of the nodes reachable from `start` through glue resources only, never through two
    glue resources of the same type on one path (else an ALB's cart function would reach its
    web tier through the shared listener: rule -> listener -> the other rule)."""
    found: set[str] = set()
    queue: deque[tuple[str, frozenset[str]]] = deque([(start.urn, frozenset())])
    while queue:
        urn, path_types = queue.popleft()
        for other_urn in neighbours[urn]:
            other = by_urn.get(other_urn)
            if other is None or other_urn == start.urn:
                continue
            if other.type_ in NODE_KINDS:
                found.add(other_urn)
            elif other.type_ in GLUE and other.type_ not in path_types:
                queue.append((other_urn, path_types | {other.type_}))
    return found


def model(run: ProgramRun) -> dict[str, Any]:
    """The diagram as plain data, sorted, so that it compares equal across runs."""
    regions = cell_regions(run)
    by_urn = run.by_urn()
    neighbours: dict[str, set[str]] = defaultdict(set)
    for resource in run.resources:
        for dependency in resource.dependencies:
            neighbours[resource.urn].add(dependency)
            neighbours[dependency].add(resource.urn)
    nodes: dict[str, dict[str, str]] = {}
    ids: dict[str, str] = {}
    for resource in run.resources:
        kind = NODE_KINDS.get(resource.type_)
        if kind is None:
            continue
        scope = scope_of(resource, regions)
        node_id = _node_id(resource, scope)
        ids[resource.urn] = node_id
        nodes[node_id] = {
            "label": _label(resource, kind),
            "icon": kind.icon,
            "service": kind.service,
            "cluster": f"{scope}/{_component(resource, by_urn)}",
        }
    edges = {
        tuple(sorted((ids[r.urn], ids[other])))
        for r in run.resources
        if r.urn in ids
        for other in _connections(r, by_urn, neighbours)
    }
    clusters = sorted(
        {n["cluster"] for n in nodes.values()},
        key=lambda c: ([*regions, GLOBAL].index(c.split("/")[0]), c),
    )
    return {
        "stack": run.stack,
        "regions": regions,
        "clusters": clusters,
        "nodes": dict(sorted(nodes.items())),
        "edges": sorted([list(e) for e in edges]),
    }


def model_path(stack: str, docs: Path = DOCS) -> Path:
    return docs / f"{stack}.diagram.json"


def dumps(diagram: dict[str, Any]) -> str:
    return json.dumps(diagram, indent=1, sort_keys=True) + "\n"


def icon_class(icon: str) -> Any:
    module, _, name = icon.rpartition(".")
    return getattr(__import__(f"diagrams.{module}", fromlist=[name]), name)


def draw(diagram: dict[str, Any], out_base: Path) -> list[Path]:
    """Render the model to <out_base>.png and .svg with the diagrams package (graphviz)."""
    from diagrams import Cluster, Diagram, Edge  # import here: only drawing needs graphviz

    made: list[Path] = []
    for fmt in ("png", "svg"):
        by_cluster: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
        for node_id, node in diagram["nodes"].items():
            by_cluster[node["cluster"]].append((node_id, node))
        drawn: dict[str, Any] = {}
        with Diagram(
            f"shop3d {diagram['stack']}",
            filename=str(out_base),
            outformat=fmt,
            show=False,
            direction="LR",
            graph_attr={"fontsize": "20", "splines": "spline", "nodesep": "0.3"},
        ):
            scopes: dict[str, list[str]] = defaultdict(list)
            for cluster in diagram["clusters"]:
                scopes[cluster.split("/")[0]].append(cluster)
            for scope, clusters in scopes.items():
                with Cluster(scope if scope != GLOBAL else "global (edge, identity, IAM)"):
                    for cluster in clusters:
                        with Cluster(cluster.split("/")[1]):
                            for node_id, node in by_cluster[cluster]:
                                drawn[node_id] = icon_class(node["icon"])(node["label"])
            for left, right in diagram["edges"]:
                drawn[left] - Edge(color="gray40") - drawn[right]  # a connection, no direction
        made.append(out_base.with_suffix(f".{fmt}"))
    embed_icons_in_file(out_base.with_suffix(".svg"))
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="shop3d diagram",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "stacks", nargs="*", default=["dev", "prod"], help="stacks to draw (default: dev prod)"
    )
    parser.add_argument("--out", type=Path, default=DOCS, help="output folder (default docs/)")
    parser.add_argument(
        "--model-only",
        action="store_true",
        help="write only <stack>.diagram.json (no graphviz needed)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for stack in args.stacks:
        try:
            run = run_program(stack)
            diagram = model(run)
        except (ProgramFailed, FileNotFoundError, ValueError) as error:
            print(f"shop3d diagram: {stack}: {error}", file=sys.stderr)
            return 1
        path = model_path(stack, args.out)
        path.write_text(dumps(diagram))
        made = [path] if args.model_only else [path, *draw(diagram, args.out / stack)]
        summary = overview(diagram, run)
        overview_base = overview_path(stack, args.out)
        overview_base.with_suffix(".json").write_text(dumps(summary))
        made.append(overview_base.with_suffix(".json"))
        if not args.model_only:
            made += draw_overview(summary, overview_base)
        print(
            f"{stack}: {len(diagram['nodes'])} nodes, {len(diagram['edges'])} edges -> "
            + ", ".join(str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p) for p in made)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
