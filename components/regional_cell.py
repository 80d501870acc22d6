"""RegionalCell (`shop3d:cell:RegionalCell`): what runs in one region, on its CellNetwork.

One per configured region, under that region's provider (children inherit it through
parent=self). The parts live in components/cell/: the cart API and asset pipeline Lambdas
(with AWS Batch for large uploads), the ALB, the web tier, Redis, flow logs, alarms, the
dashboard and the Route 53 health check that GlobalEdge routes by.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.cell.alarms import AlarmTargets, cell_alarms
from components.cell.alb import cell_alb
from components.cell.asset_pipeline import asset_pipeline
from components.cell.cache import cell_cache
from components.cell.cart_api import CartInputs, cart_api
from components.cell.context import CellContext
from components.cell.dashboard import cell_dashboard
from components.cell.flow_logs import cell_flow_logs
from components.cell.health import cell_health_check
from components.cell.orders import cell_orders
from components.cell.web_tier import web_tier
from components.code_signing import RegionCodeSigning
from components.interfaces import (
    CellEndpoint,
    IdentityOutputs,
    NetworkOutputs,
    RegionDataOutputs,
    RegionImages,
)
from handlers.shared import tables
from stack_config.config import RegionSettings, StackConfig

# Asynchronous invocations that fail every retry wait here two weeks for inspection.
LAMBDA_DLQ_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class RegionalCellArgs:
    config: StackConfig
    region: RegionSettings
    network: NetworkOutputs
    # GlobalData.region_outputs(region).
    data: RegionDataOutputs
    # The origin header's value (OriginSecret.value): the ALB forwards only requests with it.
    origin_header_value: pulumi.Output[str]
    # This region's copy of the guest cart cookie key (CartCookieKey.arn_in(region)).
    cookie_key_arn: pulumi.Output[str]
    # This region's signing profile and code-signing configuration (every Zip function).
    code_signing: RegionCodeSigning
    # The user pool whose tokens the cart Lambda verifies.
    identity: IdentityOutputs
    # The container images in this region's repositories (ContainerImages.regions[region]).
    images: RegionImages
    # This region's copy of the stack's Stripe keys (StripeKeys.arn_in(region)); None: orders
    # are placed without payments.
    stripe_keys_arn: pulumi.Output[str] | None = None


class RegionalCell(pulumi.ComponentResource):
    alb: aws.lb.LoadBalancer
    alb_dns_name: pulumi.Output[str]
    alb_zone_id: pulumi.Output[str]
    health_check_id: pulumi.Output[str]
    alarm_topic_arn: pulumi.Output[str]
    cart_function: aws.lambda_.Function
    asset_function: aws.lambda_.Function

    def __init__(
        self, name: str, args: RegionalCellArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("shop3d:cell:RegionalCell", name, None, opts)
        config = args.config
        ctx = CellContext(
            parent=self,
            config=config,
            settings=args.region,
            network=args.network,
            data=args.data,
            code_signing=args.code_signing,
        )
        self.region = ctx.region
        self.network = args.network
        self.vpc_id = args.network.vpc_id

        cell_flow_logs(ctx)
        lambda_dlq = aws.sqs.Queue(
            ctx.name("lambda-dlq"),
            kms_master_key_id=ctx.key_arn,
            message_retention_seconds=LAMBDA_DLQ_RETENTION_SECONDS,
            opts=ctx.opts(),
        )
        # The catalog cache only where it pays (shop3d:catalogCache): reads go to DynamoDB.
        self.cache = cell_cache(ctx) if config.catalog_cache else None
        self.orders = cell_orders(ctx, lambda_dlq.arn)
        cart = cart_api(
            ctx,
            CartInputs(
                cache=self.cache,
                cookie_key_arn=args.cookie_key_arn,
                identity=args.identity,
                stripe_keys_arn=args.stripe_keys_arn,
                bus=self.orders.bus,
            ),
            lambda_dlq.arn,
        )
        self.assets = asset_pipeline(ctx, args.images, lambda_dlq.arn)
        self.load_balancer = cell_alb(ctx, args.origin_header_value, cart.function, config.web_tier)
        self.web = (
            web_tier(ctx, self.load_balancer.alb, self.load_balancer.web_target_group)
            if self.load_balancer.web_target_group is not None
            else None
        )
        health = cell_health_check(ctx, self.load_balancer)

        targets = AlarmTargets(
            alb_arn_suffix=self.load_balancer.alb.arn_suffix,
            functions={"cart": cart.function.name, "asset": self.assets.function.function.name},
            dead_letter_queues={
                "lambda-dlq": lambda_dlq.name,
                "asset-dlq": self.assets.dead_letter_queue.name,
            },
            redis_group_id=self.cache.group.id if self.cache is not None else None,
            redis_nodes=self.cache.nodes if self.cache is not None else 0,
            aurora_cluster_id=args.data.cluster.identifier,
            table_names={
                schema.logical_name: args.data.tables[schema.logical_name].name
                for schema in tables.GLOBAL_TABLES
            }
            | {tables.IDEMPOTENCY.logical_name: args.data.idempotency.name},
            event_rules=(
                {"notifications": self.orders.notifications_rule.name}
                if self.orders.notifications_rule is not None
                else {}
            ),
        )
        alarms = cell_alarms(ctx, targets)
        self.dashboard = cell_dashboard(ctx, targets, alarms)

        self.alb = self.load_balancer.alb
        self.alb_dns_name = self.alb.dns_name
        self.alb_zone_id = self.alb.zone_id
        self.health_check_id = health.id
        self.alarm_topic_arn = alarms.topic.arn
        self.cart_function = cart.function
        self.dkim_tokens = self.orders.dkim_tokens
        self.order_bus_name = self.orders.bus.name
        self.asset_function = self.assets.function.function
        # For GlobalEdge: the DNS records that validate the ALB's certificate (domain stacks).
        certificate = self.load_balancer.certificate
        self.certificate_validation_options = (
            certificate.domain_validation_options if certificate is not None else None
        )
        self.endpoint = CellEndpoint(
            alb_dns_name=self.alb_dns_name,
            alb_zone_id=self.alb_zone_id,
            health_check_id=self.health_check_id,
            certificate_validation_options=self.certificate_validation_options,
            dkim_tokens=self.dkim_tokens,
        )
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "albDnsName": self.alb_dns_name,
                "albZoneId": self.alb_zone_id,
                "healthCheckId": self.health_check_id,
                "alarmTopicArn": self.alarm_topic_arn,
                "cartFunctionArn": self.cart_function.arn,
                "orderBusName": self.order_bus_name,
                "assetFunctionArn": self.asset_function.arn,
            }
        )
