"""EC2 launch paths (launch templates of the web tier and of Batch), Auto Scaling groups, and
EventBridge rule delivery."""

from __future__ import annotations

from collections.abc import Iterator

from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import is_set, is_unknown, items

rules = RuleSet()
LAUNCH_TEMPLATE = ("aws:ec2/launchTemplate:LaunchTemplate",)
AUTOSCALING_GROUP = ("aws:autoscaling/group:Group",)
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@rules.resource(
    "launch-template-imds-hop-limit",
    "Instance metadata answers one hop only (httpPutResponseHopLimit 1): a container on the "
    "host cannot reach it, and so not the instance role.",
    LAUNCH_TEMPLATE,
    "CKV_AWS_341",
)
def imds_hop_limit(resource: Resource) -> Iterator[str]:
    limit = resource.get("metadataOptions.httpPutResponseHopLimit")
    if not is_unknown(limit) and limit not in (None, 1, "1"):
        yield f"metadataOptions.httpPutResponseHopLimit is {limit}: use 1"


@rules.resource(
    "launch-template-volume-key-usable",
    "Launch template volumes use the AWS-managed EBS key, not a customer key: Auto Scaling and "
    "Batch launch through service-linked roles that a customer key's policy does not grant "
    "(instances fail to launch; Batch jobs stay RUNNABLE).",
    LAUNCH_TEMPLATE,
    "shop3d",
)
def volume_key(resource: Resource) -> Iterator[str]:
    for index, device in enumerate(items(resource.get("blockDeviceMappings"))):
        ebs = device.get("ebs") if isinstance(device, dict) else None
        if isinstance(ebs, dict) and is_set(ebs.get("kmsKeyId")):
            yield (
                f"blockDeviceMappings[{index}].ebs.kmsKeyId is set: leave it unset (aws/ebs), or "
                "grant the service-linked roles in that key's policy and exempt this rule"
            )


@rules.resource(
    "autoscaling-group-tags",
    "Auto Scaling groups carry tags propagated to their instances (the provider's default "
    "tags do not reach instances an ASG launches).",
    AUTOSCALING_GROUP,
    "CKV_AWS_153",
)
def group_tags(resource: Resource) -> Iterator[str]:
    tags = [t for t in items(resource.get("tags")) if isinstance(t, dict)]
    if is_unknown(resource.get("tags")):
        return
    if not tags or not all(t.get("propagateAtLaunch") in (True, "true") for t in tags):
        yield "set tags with propagateAtLaunch = true"


@rules.stack(
    "eventbridge-failed-invocations-alarm",
    "Every EventBridge rule with a target has a FailedInvocations alarm: a delivery a topic or "
    "key policy refuses is otherwise dropped without a trace.",
    "shop3d",
)
def failed_invocations(stack: Stack) -> Iterator[Violation]:
    alarms = [
        a
        for a in stack.of_type(METRIC_ALARM)
        if a.get("namespace") == "AWS/Events" and a.get("metricName") == "FailedInvocations"
    ]
    for rule in stack.of_type(EVENT_RULE):
        if not stack.referrers(rule, "rule", EVENT_TARGET):
            continue
        if not any(stack.refers(a, "dimensions.RuleName", rule) for a in alarms):
            yield rule, f"rule {rule.name}: add a FailedInvocations alarm (dimension RuleName)"
