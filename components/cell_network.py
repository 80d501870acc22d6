"""CellNetwork (`shop3d:cell:Network`): a cell's VPC and its security groups.

It is the first half of a region's cell and is built before GlobalData, because the Aurora
subnet groups sit on its isolated subnets behind its database security group; RegionalCell,
built after GlobalData, runs everything else on it.

Least privilege between tiers: the ALB takes its port (443, or 80 in a stack without a domain)
only from CloudFront's origin-facing prefix list and, on a second group, from Route 53's health
checkers; the web tier only from the ALB (443: TLS to the instances too); Redis and Aurora
only from the web tier and the Lambdas; Batch hosts and the Lambdas take nothing. Nothing takes
ingress from 0.0.0.0/0, and the VPC's default security group is adopted with no rules. Gateway endpoints for S3 and
DynamoDB everywhere, interface endpoints (Secrets Manager, KMS, SQS, Logs) when asked (prod).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from components.interfaces import NetworkOutputs
from components.naming import regional
from components.options import child
from stack_config.config import NatGateways

HTTPS_PORT = 443
# The web tier's instance port behind the ALB: HTTPS to the instances too (the policy pack's
# alb-target-group-https), with a certificate each instance makes at boot.
WEB_PORT = HTTPS_PORT
POSTGRES_PORT = 5432
REDIS_PORT = 6379
CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
# Route 53's health checkers, in their own group: this list weighs 25 rules and CloudFront's
# 55, over the 60 rules one security group may hold.
ROUTE53_HEALTH_CHECKERS = "com.amazonaws.{region}.route53-healthchecks"
ANYWHERE = "0.0.0.0/0"
GATEWAY_ENDPOINTS = ("s3", "dynamodb")
# AWS APIs the cell calls from private subnets; prod keeps that traffic off the NAT gateways.
INTERFACE_ENDPOINTS = ("secretsmanager", "kms", "sqs", "logs")


@dataclass(frozen=True)
class CellNetworkArgs:
    region: str
    cidr_block: str
    availability_zones: int
    nat_gateways: NatGateways
    # The port CloudFront reaches the ALB on: 443, or 80 for a stack without a domain.
    alb_port: int = HTTPS_PORT
    interface_endpoints: bool = False


def subnet_masks(cidr_block: str) -> tuple[int, int, int, int]:
    """(AZ block, private, public, isolated) prefix lengths for a VPC of this size.

    Each AZ gets a quarter of the VPC; half of it is private (Lambda ENIs, web tier), an
    eighth each public (ALB, NAT) and isolated (Aurora, Redis).
    """
    prefix = int(cidr_block.split("/")[1])
    az = prefix + 2
    return az, az + 1, az + 3, az + 3


class CellNetwork(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[Sequence[str]]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    isolated_subnet_ids: pulumi.Output[Sequence[str]]
    alb_security_group: aws.ec2.SecurityGroup
    alb_health_security_group: aws.ec2.SecurityGroup
    batch_security_group: aws.ec2.SecurityGroup
    web_security_group: aws.ec2.SecurityGroup
    lambda_security_group: aws.ec2.SecurityGroup
    cache_security_group: aws.ec2.SecurityGroup
    database_security_group: aws.ec2.SecurityGroup
    outputs: NetworkOutputs

    def __init__(
        self, name: str, args: CellNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("shop3d:cell:Network", name, None, opts)
        self.region = args.region
        provider = opts.provider if opts is not None else None
        az_mask, private_mask, public_mask, isolated_mask = subnet_masks(args.cidr_block)
        spec = awsx.ec2.SubnetSpecArgs
        vpc = awsx.ec2.Vpc(
            self._logical("vpc"),
            cidr_block=args.cidr_block,
            number_of_availability_zones=args.availability_zones,
            availability_zone_cidr_mask=az_mask,
            subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
            subnet_specs=[
                spec(type=awsx.ec2.SubnetType.PUBLIC, name="public", cidr_mask=public_mask),
                spec(type=awsx.ec2.SubnetType.PRIVATE, name="private", cidr_mask=private_mask),
                spec(type=awsx.ec2.SubnetType.ISOLATED, name="isolated", cidr_mask=isolated_mask),
            ],
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(
                strategy=awsx.ec2.NatGatewayStrategy.SINGLE
                if args.nat_gateways == "single"
                else awsx.ec2.NatGatewayStrategy.ONE_PER_AZ
            ),
            enable_dns_hostnames=True,
            enable_dns_support=True,
            # awsx is a remote component: it gets the region's provider explicitly.
            opts=pulumi.ResourceOptions(
                parent=self, providers={"aws": provider} if provider else None
            ),
        )
        self.vpc = vpc
        self.vpc_id = vpc.vpc_id
        self.public_subnet_ids = vpc.public_subnet_ids
        self.private_subnet_ids = vpc.private_subnet_ids
        self.isolated_subnet_ids = vpc.isolated_subnet_ids

        self.alb_security_group = self._group("alb", "ALB: from CloudFront only")
        self.alb_health_security_group = self._group(
            "alb-health", "ALB: from Route 53 health checkers only"
        )
        self.batch_security_group = self._group("batch", "Batch hosts: no ingress")
        self.web_security_group = self._group("web", "Web tier: HTTP from the ALB only")
        self.lambda_security_group = self._group("lambda", "Lambda functions: no ingress")
        self.cache_security_group = self._group("cache", "Redis: from web tier and Lambdas")
        self.database_security_group = self._group("db", "Aurora: from web tier and Lambdas")

        cloudfront = aws.ec2.get_managed_prefix_list_output(
            name=CLOUDFRONT_ORIGIN_FACING, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        self._ingress(
            "alb-from-cloudfront",
            self.alb_security_group,
            args.alb_port,
            "From CloudFront origin-facing servers",
            prefix_list=cloudfront.id,
        )
        health_checkers = aws.ec2.get_managed_prefix_list_output(
            name=ROUTE53_HEALTH_CHECKERS.format(region=args.region),
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self._ingress(
            "alb-from-health-checkers",
            self.alb_health_security_group,
            args.alb_port,
            "From Route 53 health checkers",
            prefix_list=health_checkers.id,
        )
        self._ingress(
            "web-from-alb",
            self.web_security_group,
            WEB_PORT,
            "HTTPS from the ALB",
            source=self.alb_security_group,
        )
        self._egress(
            "alb-to-web",
            self.alb_security_group,
            WEB_PORT,
            "To the web tier",
            destination=self.web_security_group,
        )
        self._egress(
            "batch-to-https",
            self.batch_security_group,
            HTTPS_PORT,
            "To AWS APIs and ECR over HTTPS",
            cidr=ANYWHERE,
        )
        # No rules: anything launched without a group gets no traffic at all.
        aws.ec2.DefaultSecurityGroup(
            self._logical("default-sg"), vpc_id=self.vpc_id, ingress=[], egress=[], opts=child(self)
        )
        self._endpoints(args, vpc)
        for client, group in (
            ("web", self.web_security_group),
            ("lambda", self.lambda_security_group),
        ):
            self._ingress(
                f"db-from-{client}",
                self.database_security_group,
                POSTGRES_PORT,
                f"PostgreSQL from the {client} tier",
                source=group,
            )
            self._ingress(
                f"cache-from-{client}",
                self.cache_security_group,
                REDIS_PORT,
                f"Redis (TLS) from the {client} tier",
                source=group,
            )
            self._egress(
                f"{client}-to-db",
                group,
                POSTGRES_PORT,
                "To Aurora",
                destination=self.database_security_group,
            )
            self._egress(
                f"{client}-to-cache",
                group,
                REDIS_PORT,
                "To Redis",
                destination=self.cache_security_group,
            )
            self._egress(
                f"{client}-to-https",
                group,
                HTTPS_PORT,
                "To AWS APIs and package mirrors over HTTPS",
                cidr=ANYWHERE,
            )

        self.outputs = NetworkOutputs(
            region=self.region,
            vpc_id=self.vpc_id,
            public_subnet_ids=self.public_subnet_ids,
            private_subnet_ids=self.private_subnet_ids,
            isolated_subnet_ids=self.isolated_subnet_ids,
            alb_security_group_id=self.alb_security_group.id,
            alb_health_security_group_id=self.alb_health_security_group.id,
            batch_security_group_id=self.batch_security_group.id,
            web_security_group_id=self.web_security_group.id,
            lambda_security_group_id=self.lambda_security_group.id,
            cache_security_group_id=self.cache_security_group.id,
            database_security_group_id=self.database_security_group.id,
        )
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "isolatedSubnetIds": self.isolated_subnet_ids,
            }
        )

    def _endpoints(self, args: CellNetworkArgs, vpc: awsx.ec2.Vpc) -> None:
        """Gateway endpoints for S3 and DynamoDB; interface endpoints when asked (prod)."""
        # Looked up once awsx has made every route table of the VPC.
        route_tables = aws.ec2.get_route_tables_output(
            vpc_id=self.vpc_id, opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[vpc])
        )
        for service in GATEWAY_ENDPOINTS:
            self._endpoint(service, "Gateway", route_table_ids=route_tables.ids)
        if not args.interface_endpoints:
            return
        group = self._group("endpoints", "Interface endpoints: HTTPS from the cell's tiers")
        for client, source in (
            ("web", self.web_security_group),
            ("lambda", self.lambda_security_group),
            ("batch", self.batch_security_group),
        ):
            self._ingress(
                f"endpoints-from-{client}",
                group,
                HTTPS_PORT,
                f"HTTPS from the {client} tier",
                source=source,
            )
        for service in INTERFACE_ENDPOINTS:
            self._endpoint(
                service,
                "Interface",
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[group.id],
                private_dns_enabled=True,
            )

    def _endpoint(self, service: str, endpoint_type: str, **placement: Any) -> None:
        aws.ec2.VpcEndpoint(
            self._logical("endpoint", service),
            vpc_id=self.vpc_id,
            service_name=f"com.amazonaws.{self.region}.{service}",
            vpc_endpoint_type=endpoint_type,
            opts=child(self),
            **placement,
        )

    def _logical(self, *parts: str) -> str:
        return regional("cell", self.region, *parts)

    def _group(self, role: str, description: str) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            self._logical(role, "sg"),
            vpc_id=self.vpc_id,
            description=description,
            # Rules live in separate resources so that no inline rule list fights them.
            opts=child(self),
        )

    def _ingress(
        self,
        name: str,
        group: aws.ec2.SecurityGroup,
        port: int,
        description: str,
        source: aws.ec2.SecurityGroup | None = None,
        prefix_list: pulumi.Input[str] | None = None,
    ) -> None:
        aws.vpc.SecurityGroupIngressRule(
            self._logical(name),
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=source.id if source else None,
            prefix_list_id=prefix_list,
            description=description,
            opts=child(self),
        )

    def _egress(
        self,
        name: str,
        group: aws.ec2.SecurityGroup,
        port: int,
        description: str,
        destination: aws.ec2.SecurityGroup | None = None,
        cidr: str | None = None,
    ) -> None:
        aws.vpc.SecurityGroupEgressRule(
            self._logical(name),
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=destination.id if destination else None,
            cidr_ipv4=cidr,
            description=description,
            opts=child(self),
        )
