"""Security groups: nothing open to the internet on admin or plain-HTTP ports, descriptions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import is_set, is_unknown, items

rules = RuleSet()
OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
ADMIN_PORTS = (22, 3389)
HTTP_PORT = 80
RULE_TYPES = (t.SECURITY_GROUP, t.SECURITY_GROUP_RULE, t.INGRESS_RULE)
PULUMI_DEFAULT_DESCRIPTION = "Managed by Pulumi"


@dataclass(frozen=True)
class Ingress:
    """One ingress permission, whichever resource shape it came from."""

    cidrs: frozenset[str]
    protocol: str
    from_port: int
    to_port: int

    @property
    def all_traffic(self) -> bool:
        return self.protocol in ("-1", "all") or (self.from_port <= 0 and self.to_port >= 65535)

    def covers(self, port: int) -> bool:
        return self.all_traffic or self.from_port <= port <= self.to_port

    @property
    def public(self) -> bool:
        return bool(self.cidrs & OPEN_CIDRS)


def _port(value: object, default: int) -> int:
    try:
        return int(str(value)) if value is not None and not is_unknown(value) else default
    except ValueError:
        return default


def ingresses(resource: Resource) -> list[Ingress]:
    if resource.type == t.SECURITY_GROUP:
        shapes = [i for i in items(resource.get("ingress")) if isinstance(i, dict)]
        cidr_keys = ("cidrBlocks", "ipv6CidrBlocks")
        protocol_key = "protocol"
    elif resource.type == t.SECURITY_GROUP_RULE:
        shapes = [dict(resource.props)] if resource.get("type") == "ingress" else []
        cidr_keys = ("cidrBlocks", "ipv6CidrBlocks")
        protocol_key = "protocol"
    else:
        shapes = [dict(resource.props)]
        cidr_keys = ("cidrIpv4", "cidrIpv6")
        protocol_key = "ipProtocol"
    return [
        Ingress(
            cidrs=frozenset(str(c) for key in cidr_keys for c in items(shape.get(key))),
            protocol=str(shape.get(protocol_key) or "tcp"),
            from_port=_port(shape.get("fromPort"), 0),
            to_port=_port(shape.get("toPort"), 65535),
        )
        for shape in shapes
    ]


@rules.resource(
    "sg-no-public-admin-ports",
    "Nothing from 0.0.0.0/0 or ::/0 reaches SSH (22), RDP (3389) or all ports.",
    RULE_TYPES,
    "disallow-public-internet-ingress; CKV_AWS_24, CKV_AWS_25, CKV_AWS_277; EC2.13, EC2.14, EC2.18",
)
def no_public_admin(resource: Resource) -> Iterator[str]:
    for ingress in ingresses(resource):
        if not ingress.public:
            continue
        if ingress.all_traffic:
            yield "all traffic is open to the internet"
        for port in ADMIN_PORTS:
            if not ingress.all_traffic and ingress.covers(port):
                yield f"port {port} is open to the internet"


@rules.resource(
    "sg-no-public-http",
    "Nothing from 0.0.0.0/0 or ::/0 reaches plain HTTP (80): CloudFront speaks HTTPS to origins.",
    RULE_TYPES,
    "disallow-inbound-http; CKV_AWS_260; EC2.19",
)
def no_public_http(resource: Resource) -> Iterator[str]:
    for ingress in ingresses(resource):
        if ingress.public and not ingress.all_traffic and ingress.covers(HTTP_PORT):
            yield "port 80 is open to the internet: serve HTTPS only"


@rules.resource(
    "sg-descriptions",
    "Security groups and each of their rules say what they are for.",
    (*RULE_TYPES, t.EGRESS_RULE),
    "missing-description; CKV_AWS_23",
)
def descriptions(resource: Resource) -> Iterator[str]:
    description = resource.get("description")
    if not is_set(description) or description == PULUMI_DEFAULT_DESCRIPTION:
        yield "description is missing (or Pulumi's default): say what the group/rule allows"
    if resource.type == t.SECURITY_GROUP:
        for direction in ("ingress", "egress"):
            for rule in items(resource.get(direction)):
                if isinstance(rule, dict) and not is_set(rule.get("description")):
                    yield f"an inline {direction} rule has no description"


@rules.stack(
    "sg-default-closed",
    "Every VPC's default security group is adopted and left with no rules.",
    "CKV2_AWS_12; EC2.2",
)
def default_closed(stack: Stack) -> Iterator[Violation]:
    closed = [
        g
        for g in stack.of_type(t.DEFAULT_SECURITY_GROUP)
        if not items(g.get("ingress")) and not items(g.get("egress"))
    ]
    vpc_urns = {v.urn for v in stack.of_type(t.VPC)}
    # awsx's Vpc is one opaque resource under the mock runtime; count it unless its
    # aws:ec2/vpc:Vpc child is visible (a real preview) so no VPC is counted twice.
    vpcs = stack.of_type(t.VPC) + [
        v for v in stack.of_type(t.AWSX_VPC) if not any(stack.children(v, t.VPC))
    ]
    for vpc in vpcs:
        joined = [g for g in closed if stack.refers(g, "vpcId", vpc)]
        same_region = [g for g in closed if g.region == vpc.region]
        if joined or (vpc.urn not in vpc_urns and len(same_region) >= 1):
            continue
        yield (
            vpc,
            (
                f"VPC {vpc.name}: adopt its default security group with "
                "aws.ec2.DefaultSecurityGroup(vpc_id=..., no ingress/egress)"
            ),
        )
