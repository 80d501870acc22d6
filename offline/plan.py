"""`plan <stack>`: what the program would register for a stack, per region and globally.

It runs the real program under Pulumi's mock runtime (no CLI, no credentials). It is not a
`pulumi preview`: it shows the desired state the program declares, never a diff against
what is deployed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from offline.inputs import compute_resources, replication_time_rules
from offline.runner import ProgramFailed, ProgramRun, run_program
from offline.scope import GLOBAL, cell_regions, scope_of, short_type
from policy import tokens as t

NOT_A_PREVIEW = (
    "offline plan: the desired state this program declares for the stack, computed "
    "under Pulumi's mock runtime.\nIt is NOT a preview: nothing was compared with a "
    "deployment, and ids/ARNs shown are placeholders."
)


def _table(inputs: dict[str, Any]) -> str:
    replicas = [r["regionName"] for r in inputs.get("replicas") or []]
    return f"{inputs.get('billingMode')}, replicas: {', '.join(replicas) or 'none'}"


def _cluster(inputs: dict[str, Any]) -> str:
    scaling = inputs.get("serverlessv2ScalingConfiguration") or {}
    return (
        f"Serverless v2 {scaling.get('minCapacity')}-{scaling.get('maxCapacity')} ACU, "
        f"backups {inputs.get('backupRetentionPeriod')} d, "
        f"deletion protection {inputs.get('deletionProtection')}"
    )


def _asg(inputs: dict[str, Any]) -> str:
    policy = inputs.get("mixedInstancesPolicy") or {}
    distribution = policy.get("instancesDistribution") or {}
    overrides = (policy.get("launchTemplate") or {}).get("overrides") or []
    types = [o.get("instanceType") for o in overrides if o.get("instanceType")]
    return (
        f"{inputs.get('minSize')}-{inputs.get('maxSize')} instances, on-demand base "
        f"{distribution.get('onDemandBaseCapacity', 0)}, spot above; "
        f"types {', '.join(types) or '?'}"
    )


def _function(inputs: dict[str, Any]) -> str:
    architectures = ", ".join(inputs.get("architectures") or [])
    return (
        f"{inputs.get('packageType') or 'Zip'}, {architectures}, "
        f"{inputs.get('memorySize')} MB, reserved concurrency "
        f"{inputs.get('reservedConcurrentExecutions') or 'none'}"
    )


def _vpc(inputs: dict[str, Any]) -> str:
    return (
        f"{inputs.get('cidrBlock')}, {inputs.get('numberOfAvailabilityZones')} AZs, NAT "
        f"{(inputs.get('natGateways') or {}).get('strategy')}"
    )


def _batch(inputs: dict[str, Any]) -> str:
    resources = compute_resources(inputs)
    return (
        f"{resources.get('type')}, {resources.get('minVcpus')}-{resources.get('maxVcpus')} "
        f"vCPU, families {', '.join(resources.get('instanceTypes') or [])}"
    )


SUMMARIES: dict[str, Callable[[dict[str, Any]], str]] = {
    t.TABLE: _table,
    t.RDS_CLUSTER: _cluster,
    t.AUTOSCALING_GROUP: _asg,
    t.FUNCTION: _function,
    t.AWSX_VPC: _vpc,
    t.REPLICATION_GROUP: lambda i: (
        f"{i.get('nodeType')}, {i.get('numCacheClusters')} nodes, "
        f"Multi-AZ {i.get('multiAzEnabled')}"
    ),
    t.DISTRIBUTION: lambda i: f"{i.get('priceClass')}, HTTP {i.get('httpVersion')}",
    t.BATCH_COMPUTE_ENVIRONMENT: _batch,
    t.WEB_ACL: lambda i: (
        f"{len(i.get('rules') or [])} rules: "
        f"{', '.join(str(r.get('name')) for r in i.get('rules') or [])}"
    ),
    t.USER_POOL: lambda i: (
        f"{i.get('userPoolTier')} tier, MFA {i.get('mfaConfiguration')}, threat protection "
        f"{(i.get('userPoolAddOns') or {}).get('advancedSecurityMode')}"
    ),
    t.LOAD_BALANCER: lambda i: (
        f"{i.get('loadBalancerType')}, deletion protection {i.get('enableDeletionProtection')}"
    ),
    t.BUCKET_REPLICATION: lambda i: (
        f"{len(i.get('rules') or [])} destinations, RTC on {replication_time_rules(i)}"
    ),
}


def summarize(run: ProgramRun) -> dict[str, Any]:
    regions = cell_regions(run)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    details: dict[str, list[str]] = defaultdict(list)
    for resource in run.resources:
        if resource.type_.startswith("pulumi:providers:"):
            continue
        scope = scope_of(resource, regions)
        counts[scope][short_type(resource.type_)] += 1
        summary = SUMMARIES.get(resource.type_)
        if summary is not None:
            details[scope].append(f"{resource.name}: {summary(resource.inputs)}")
    order = [r for r in regions if r in counts] + [GLOBAL]
    return {
        "stack": run.stack,
        "note": NOT_A_PREVIEW,
        "total": sum(sum(c.values()) for c in counts.values()),
        "scopes": {
            scope: {
                "resources": dict(sorted(counts[scope].items())),
                "settings": sorted(details[scope]),
            }
            for scope in order
            if scope in counts
        },
        "outputs": run.outputs,
    }


def render(plan: dict[str, Any]) -> str:
    lines = [NOT_A_PREVIEW, "", f"stack {plan['stack']}: {plan['total']} resources", ""]
    for scope, content in plan["scopes"].items():
        resources = content["resources"]
        lines.append(f"== {scope} ({sum(resources.values())} resources)")
        lines.extend(f"  {count:4d}  {type_}" for type_, count in resources.items())
        if content["settings"]:
            lines.append("  settings:")
            lines.extend(f"    {line}" for line in content["settings"])
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shop3d plan", description=__doc__)
    parser.add_argument("stack", nargs="?", default="dev", help="stack name (Pulumi.<stack>.yaml)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    try:
        run = run_program(args.stack)
    except (ProgramFailed, FileNotFoundError, ValueError) as error:
        print(f"shop3d plan: {error}", file=sys.stderr)
        return 1
    plan = summarize(run)
    print(json.dumps(plan, indent=2, default=str) if args.json else render(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
