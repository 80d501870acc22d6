"""The cell's Application Load Balancer, reachable only through CloudFront.

Security groups admit only CloudFront's origin-facing prefix list (and Route 53's health
checkers on a second group). On top of that, every listener rule requires the stack's origin
header, so a request that found the ALB's name anyway gets 403; the one exception is
/api/health with the cell's health token, for Route 53 (which cannot send headers).
Routes: `/api/*` to the cart Lambda, everything else to the web tier over HTTPS (without a web
tier, the listener's 403).

With `shop3d:domain` the ALB serves HTTPS with a regional ACM certificate for api.<domain> and
<region>.api.<domain> (TLS 1.3/1.2 policy) and redirects HTTP. Without a domain there is no
name a public CA would certify, so CloudFront reaches the ALB over HTTP on port 80 (dev only;
the HTTPS rules of the policy pack need an exemption in such a stack).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.cell.context import CellContext
from components.cell_network import HTTPS_PORT, WEB_PORT
from components.naming import API_LABEL, ORDERS_LABEL
from components.origin_secret import ORIGIN_HEADER_NAME

TLS_POLICY: Final = "ELBSecurityPolicy-TLS13-1-2-2021-06"
HTTP_PORT: Final = 80
HEALTH_PATH: Final = "/api/health"
# Route 53 health checks cannot send headers. They send instead a per-cell token in this query
# parameter, which unlocks the health path only: the token shows up in ALB access logs (query
# strings are logged), the origin secret never does.
HEALTH_QUERY_KEY: Final = "health-token"
HEALTH_TOKEN_LENGTH: Final = 32
WEB_HEALTH_PATH: Final = "/healthz"
ACCESS_LOG_PREFIX: Final = "alb"  # the log bucket's policy admits the ELB account here
IDLE_TIMEOUT_SECONDS: Final = 60
DEREGISTRATION_DELAY_SECONDS: Final = 30
# Target group names are at most 32 characters: an auto-name from the logical name
# (cell-ap-southeast-2-alb-cart-<7>) is 36. A prefix of at most 6 plus the provider's 26
# characters is 32 in every region and stack, and still lets a replacement be created before
# the old group is deleted (a fixed name would collide).
CART_TARGET_GROUP_PREFIX: Final = "cart-"
WEB_TARGET_GROUP_PREFIX: Final = "web-"
FORBIDDEN_BODY: Final = "Forbidden: this origin is reachable only through the shop's CDN."


@dataclass(frozen=True)
class CellAlb:
    alb: aws.lb.LoadBalancer
    listener: aws.lb.Listener  # the one carrying the routes
    protocol: str  # "HTTPS" | "HTTP"
    port: int
    cart_target_group: aws.lb.TargetGroup
    web_target_group: aws.lb.TargetGroup | None
    certificate: aws.acm.Certificate | None
    health_token: pulumi.Output[str]


def alb_port(domain: str | None) -> int:
    """The port CloudFront uses to reach a cell: HTTPS when there is a domain to certify."""
    return HTTPS_PORT if domain else HTTP_PORT


def _certificate(
    ctx: CellContext, domain: str
) -> tuple[aws.acm.Certificate, aws.acm.CertificateValidation]:
    certificate = aws.acm.Certificate(
        ctx.name("alb", "certificate"),
        domain_name=f"{API_LABEL}.{domain}",
        # CloudFront reaches a cell as api.<domain> (latency), orders.<domain> (failover, the
        # write path) or <region>.api.<domain>: the certificate must name all three.
        subject_alternative_names=[
            f"{ORDERS_LABEL}.{domain}",
            f"{ctx.region}.{API_LABEL}.{domain}",
        ],
        validation_method="DNS",
        opts=ctx.opts(),
    )
    # Waits until ACM has issued it. The validation records go into the zone, whose owner
    # (GlobalEdge) writes them from `certificate.domain_validation_options`.
    validation = aws.acm.CertificateValidation(
        ctx.name("alb", "certificate", "validation"),
        certificate_arn=certificate.arn,
        opts=ctx.opts(),
    )
    return certificate, validation


def _forward(target_group: aws.lb.TargetGroup) -> list[aws.lb.ListenerRuleActionArgs]:
    return [aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)]


def _rule(
    ctx: CellContext,
    name: str,
    listener: aws.lb.Listener,
    priority: int,
    target_group: aws.lb.TargetGroup,
    conditions: list[aws.lb.ListenerRuleConditionArgs],
) -> aws.lb.ListenerRule:
    return aws.lb.ListenerRule(
        ctx.name("alb", "rule", name),
        listener_arn=listener.arn,
        priority=priority,
        actions=_forward(target_group),
        conditions=conditions,
        opts=ctx.opts(),
    )


def _health_conditions(
    path: str, token: pulumi.Output[str]
) -> list[aws.lb.ListenerRuleConditionArgs]:
    """`path` exactly, with the cell's health token in the query: what Route 53 can send."""
    return [
        aws.lb.ListenerRuleConditionArgs(
            path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=[path])
        ),
        aws.lb.ListenerRuleConditionArgs(
            query_strings=[
                aws.lb.ListenerRuleConditionQueryStringArgs(key=HEALTH_QUERY_KEY, value=token)
            ]
        ),
    ]


def cell_alb(
    ctx: CellContext,
    origin_secret: pulumi.Output[str],
    cart_function: aws.lambda_.Function,
    web_tier: bool,
) -> CellAlb:
    domain = ctx.config.domain
    logs = ctx.data.buckets.logs
    network = ctx.network
    alb = aws.lb.LoadBalancer(
        ctx.name("alb"),
        load_balancer_type="application",
        internal=False,
        subnets=network.public_subnet_ids,
        security_groups=[network.alb_security_group_id, network.alb_health_security_group_id],
        drop_invalid_header_fields=True,
        desync_mitigation_mode="strictest",
        idle_timeout=IDLE_TIMEOUT_SECONDS,
        enable_http2=True,
        enable_deletion_protection=ctx.config.deletion_protection,
        access_logs=aws.lb.LoadBalancerAccessLogsArgs(
            bucket=logs.id, prefix=ACCESS_LOG_PREFIX, enabled=True
        ),
        # The ELB account can write only once the log bucket's policy exists.
        opts=ctx.opts(depends_on=[logs.policy] if logs.policy else None),
    )
    forbidden = aws.lb.ListenerDefaultActionArgs(
        type="fixed-response",
        fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
            content_type="text/plain", message_body=FORBIDDEN_BODY, status_code="403"
        ),
    )
    certificate = None
    if domain:
        certificate, validation = _certificate(ctx, domain)
        listener = aws.lb.Listener(
            ctx.name("alb", "https"),
            load_balancer_arn=alb.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=validation.certificate_arn,
            default_actions=[forbidden],
            opts=ctx.opts(),
        )
        aws.lb.Listener(
            ctx.name("alb", "http-redirect"),
            load_balancer_arn=alb.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port=str(HTTPS_PORT), status_code="HTTP_301"
                    ),
                )
            ],
            opts=ctx.opts(),
        )
    else:
        listener = aws.lb.Listener(
            ctx.name("alb", "http"),
            load_balancer_arn=alb.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            default_actions=[forbidden],
            opts=ctx.opts(),
        )

    cart = aws.lb.TargetGroup(
        ctx.name("alb", "cart"),
        name_prefix=CART_TARGET_GROUP_PREFIX,
        target_type="lambda",
        health_check=aws.lb.TargetGroupHealthCheckArgs(
            enabled=True,
            path=HEALTH_PATH,
            matcher="200",
            interval=35,
            timeout=30,
            healthy_threshold=2,
            unhealthy_threshold=2,
        ),
        opts=ctx.opts(),
    )
    permission = aws.lambda_.Permission(
        ctx.name("alb", "cart", "invoke"),
        action="lambda:InvokeFunction",
        function=cart_function.name,
        principal="elasticloadbalancing.amazonaws.com",
        source_arn=cart.arn,
        opts=ctx.opts(),
    )
    aws.lb.TargetGroupAttachment(
        ctx.name("alb", "cart", "attachment"),
        target_group_arn=cart.arn,
        target_id=cart_function.arn,
        opts=ctx.opts(depends_on=[permission]),
    )

    has_origin_header = aws.lb.ListenerRuleConditionArgs(
        http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
            http_header_name=ORIGIN_HEADER_NAME, values=[origin_secret]
        )
    )
    token = random.RandomPassword(
        ctx.name("alb", "health-token"), length=HEALTH_TOKEN_LENGTH, special=False, opts=ctx.opts()
    )
    health_token: pulumi.Output[str] = token.result.apply(pulumi.Output.secret)
    _rule(ctx, "health", listener, 1, cart, _health_conditions(HEALTH_PATH, health_token))
    _rule(
        ctx,
        "api",
        listener,
        10,
        cart,
        [
            has_origin_header,
            aws.lb.ListenerRuleConditionArgs(
                path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/api/*"])
            ),
        ],
    )
    web = None
    if web_tier:
        web = aws.lb.TargetGroup(
            ctx.name("alb", "web"),
            name_prefix=WEB_TARGET_GROUP_PREFIX,
            target_type="instance",
            # TLS to the instances: nginx there presents a self-signed certificate made at boot.
            # "The load balancer does not validate these certificates. Therefore, you can use
            # self-signed certificates" ("Target groups for your Application Load Balancers",
            # Routing configuration, Elastic Load Balancing User Guide). Encrypted, not
            # authenticated: what vouches for the instance is the VPC and its security groups.
            port=WEB_PORT,
            protocol="HTTPS",
            vpc_id=network.vpc_id,
            deregistration_delay=DEREGISTRATION_DELAY_SECONDS,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                protocol="HTTPS",
                path=WEB_HEALTH_PATH,
                matcher="200",
                interval=15,
                healthy_threshold=2,
                unhealthy_threshold=3,
            ),
            opts=ctx.opts(),
        )
        _rule(ctx, "web", listener, 20, web, [has_origin_header])
        # Route 53's check of the page renderer: /healthz with the token, nothing else.
        _rule(ctx, "healthz", listener, 2, web, _health_conditions(WEB_HEALTH_PATH, health_token))
    return CellAlb(
        alb=alb,
        listener=listener,
        protocol="HTTPS" if domain else "HTTP",
        port=alb_port(domain),
        cart_target_group=cart,
        web_target_group=web,
        certificate=certificate,
        health_token=health_token,
    )
