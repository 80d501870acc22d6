"""The web tier: an Auto Scaling group of nginx instances behind the ALB (everything that is not
/api/*), serving the storefront's static files synced from S3 and the pages rendered by
handlers.pages under Hypercorn (web_user_data.sh).

The renderer ships as one content-addressed zip (lambda_packaging.renderer_bundle), uploaded once
by the primary region's cell into the primary assets bucket under web-renderer/<sha256>.zip; every
cell's boot script fetches that exact key, so new renderer code is a new launch template version
and the instance refresh rolls it out.

On-demand base capacity from config, spot above it over several instance types with capacity
rebalancing; target tracking at 70% CPU and on ALB requests per target; ELB health checks;
rolling instance refresh when the launch template changes. Instances: Amazon Linux 2023 from
the public SSM parameter, IMDSv2 only, encrypted EBS, no public IP, no SSH (Session Manager).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.cell.context import CellContext
from components.cell_network import WEB_PORT
from components.tags import default_tags
from handlers.shared import storage, tables
from handlers.shared.cache_control import IMMUTABLE
from lambda_packaging.renderer_bundle import bundle_key, written_bundle
from lambda_packaging.zips import ZippedTree

CPU_TARGET_PERCENT: Final = 70.0
# Requests per instance per minute an nginx static server handles with room to spare.
REQUESTS_PER_TARGET: Final = 1000.0
HEALTH_CHECK_GRACE_SECONDS: Final = 120
INSTANCE_WARMUP_SECONDS: Final = 120
MIN_HEALTHY_PERCENT: Final = 90
# How long `pulumi up` waits, on creating the group, for its first instances to be healthy in the
# target group: more than a boot takes at worst (up to 10 minutes waiting for the primary's
# renderer upload, then packages, pip, the grace period and two health checks).
CAPACITY_WAIT_MINUTES: Final = 20
ROOT_VOLUME_GB: Final = 20
SSM_CORE_POLICY: Final = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
AMI_PARAMETER: Final = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
USER_DATA: Final = Path(__file__).with_name("web_user_data.sh")


@dataclass(frozen=True)
class WebTier:
    group: aws.autoscaling.Group
    launch_template: aws.ec2.LaunchTemplate
    renderer_key: str
    # The upload, made by the primary region's cell only (None in the others).
    renderer_bundle: aws.s3.BucketObject | None


@cache
def _renderer_bundle() -> tuple[Path, ZippedTree]:
    return written_bundle()  # once per program run, whatever the number of cells


def renderer_key() -> str:
    return bundle_key(_renderer_bundle()[1], storage.WEB_RENDERER_PREFIX)


def user_data(
    bucket: str, bucket_region: str, catalog_table: str, region: str, renderer: str
) -> str:
    """The boot script with the cell's values filled in (the page renderer reads the catalog
    in its own region's replica and manifests from the primary's assets bucket; `renderer` is
    the bundle's key there)."""
    values = {
        "__STOREFRONT_URI__": f"s3://{bucket}/{storage.STOREFRONT_PREFIX}",
        "__RENDERER_OBJECT__": f"s3://{bucket}/{renderer}",
        "__BUCKET_REGION__": bucket_region,
        "__ASSETS_BUCKET__": bucket,
        "__CATALOG_TABLE__": catalog_table,
        "__REGION__": region,
        "__WEB_PORT__": str(WEB_PORT),
        "__IMMUTABLE__": IMMUTABLE,
    }
    script = USER_DATA.read_text()
    for placeholder, value in values.items():
        script = script.replace(placeholder, value)
    return script


def _instance_profile(ctx: CellContext) -> aws.iam.InstanceProfile:
    assets = ctx.data.primary_assets
    catalog = ctx.data.tables[tables.CATALOG.logical_name].arn
    role = aws.iam.Role(
        ctx.name("web", "role"),
        assume_role_policy=iam.assume_role("ec2.amazonaws.com"),
        opts=ctx.opts(),
    )
    ssm = aws.iam.RolePolicyAttachment(
        ctx.name("web", "role", "ssm"), role=role.name, policy_arn=SSM_CORE_POLICY, opts=ctx.opts()
    )
    policy = aws.iam.RolePolicy(
        ctx.name("web", "role", "policy"),
        role=role.id,
        policy=iam.document(
            [
                iam.allow(
                    ["s3:ListBucket"],
                    [assets.arn],
                    sid="ListStorefront",
                    conditions={"StringLike": {"s3:prefix": [f"{storage.STOREFRONT_PREFIX}*"]}},
                ),
                iam.allow(
                    ["s3:GetObject"],
                    [iam.objects(assets.arn, storage.STOREFRONT_PREFIX)],
                    sid="ReadStorefront",
                ),
                iam.allow(
                    ["s3:GetObject"],
                    [
                        iam.objects(assets.arn, storage.ASSETS_PREFIX),
                        iam.objects(assets.arn, storage.WEB_RENDERER_PREFIX),
                    ],
                    sid="ReadManifestsAndRenderer",
                ),
                # Products by key, and pages of the listing indexes (never a Scan).
                iam.allow(
                    ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
                    [catalog, pulumi.Output.concat(catalog, "/index/*")],
                    sid="ReadCatalog",
                ),
                iam.allow(["kms:Decrypt"], [ctx.data.primary_key_arn], sid="AssetsKey"),
            ]
        ),
        opts=ctx.opts(),
    )
    # Instances launched with the profile boot with the role's policies in place.
    return aws.iam.InstanceProfile(
        ctx.name("web", "instance-profile"), role=role.name, opts=ctx.opts(depends_on=[ssm, policy])
    )


def _target_tracking(
    ctx: CellContext,
    group: aws.autoscaling.Group,
    role: str,
    target: float,
    metric_type: str,
    resource_label: pulumi.Input[str] | None = None,
) -> None:
    aws.autoscaling.Policy(
        ctx.name("web", role),
        autoscaling_group_name=group.name,
        policy_type="TargetTrackingScaling",
        target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
            target_value=target,
            predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                predefined_metric_type=metric_type, resource_label=resource_label
            ),
        ),
        opts=ctx.opts(),
    )


def web_tier(
    ctx: CellContext, alb: aws.lb.LoadBalancer, target_group: aws.lb.TargetGroup
) -> WebTier:
    settings = ctx.settings
    architecture = ctx.config.web_architecture
    primary = ctx.config.primary.name
    assets = ctx.data.primary_assets
    catalog = ctx.data.tables[tables.CATALOG.logical_name].name
    region = ctx.region
    key = renderer_key()
    bundle = _upload_renderer(ctx, key) if ctx.is_primary else None
    script = pulumi.Output.all(assets.id, catalog).apply(
        lambda parts: base64.b64encode(
            user_data(str(parts[0]), primary, str(parts[1]), region, key).encode()
        ).decode()
    )
    template = aws.ec2.LaunchTemplate(
        ctx.name("web", "launch-template"),
        description="shop3d web tier: AL2023, IMDSv2 only, encrypted EBS, no public IP",
        image_id=f"resolve:ssm:{AMI_PARAMETER.format(arch=architecture)}",
        iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(
            arn=_instance_profile(ctx).arn
        ),
        network_interfaces=[
            aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                associate_public_ip_address="false",
                security_groups=[ctx.network.web_security_group_id],
                delete_on_termination="true",
            )
        ],
        metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
            http_endpoint="enabled",
            http_tokens="required",
            http_put_response_hop_limit=1,
            instance_metadata_tags="disabled",
        ),
        # The AWS-managed EBS key: Auto Scaling's service-linked role may use it without a
        # grant in the data key's policy.
        block_device_mappings=[
            aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name="/dev/xvda",
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    encrypted="true",
                    volume_size=ROOT_VOLUME_GB,
                    volume_type="gp3",
                    delete_on_termination="true",
                ),
            )
        ],
        monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
        user_data=script,
        update_default_version=True,
        opts=ctx.opts(),
    )
    group = aws.autoscaling.Group(
        ctx.name("web", "asg"),
        vpc_zone_identifiers=ctx.network.private_subnet_ids,
        min_size=settings.web_min_size,
        max_size=settings.web_max_size,
        health_check_type="ELB",
        health_check_grace_period=HEALTH_CHECK_GRACE_SECONDS,
        # A first deploy whose instances never pass /healthz fails instead of serving nothing:
        # on creation the provider waits for at least this many instances healthy in the target
        # group, up to the timeout. min_elb_capacity, not wait_for_elb_capacity: the latter also
        # waits on updates that change min_size, for *exactly* that many healthy targets, which
        # never holds while target tracking has scaled out ("Waiting for Capacity",
        # aws.autoscaling.Group; the provider counts instances, weighted capacity only where
        # overrides set weights, which ours do not).
        min_elb_capacity=settings.web_min_size,
        wait_for_capacity_timeout=f"{CAPACITY_WAIT_MINUTES}m",
        default_instance_warmup=INSTANCE_WARMUP_SECONDS,
        target_group_arns=[target_group.arn],
        capacity_rebalance=True,
        mixed_instances_policy=aws.autoscaling.GroupMixedInstancesPolicyArgs(
            instances_distribution=aws.autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs(
                on_demand_base_capacity=settings.on_demand_base_capacity,
                on_demand_percentage_above_base_capacity=0,
                spot_allocation_strategy="price-capacity-optimized",
            ),
            launch_template=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs(
                launch_template_specification=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs(
                    launch_template_id=template.id, version=template.latest_version.apply(str)
                ),
                overrides=[
                    aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs(
                        instance_type=t
                    )
                    for t in ctx.config.instance_types
                ],
            ),
        ),
        instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
            strategy="Rolling",
            preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                min_healthy_percentage=MIN_HEALTHY_PERCENT,
                instance_warmup=str(INSTANCE_WARMUP_SECONDS),
                # A template whose boot fails (instances never healthy) rolls back to the last
                # one. Rollback needs a numbered template version, not $Latest/$Default: the
                # group names template.latest_version ("Undo changes with a manual or auto
                # rollback", Amazon EC2 Auto Scaling User Guide).
                auto_rollback=True,
            ),
        ),
        enabled_metrics=[
            aws.autoscaling.Metric(m)
            for m in (
                "GroupInServiceInstances",
                "GroupDesiredCapacity",
                "GroupInServiceCapacity",
                "GroupPendingInstances",
            )
        ],
        # The provider's default tags never reach an ASG's instances: propagate them here.
        tags=[
            aws.autoscaling.GroupTagArgs(key=key, value=value, propagate_at_launch=True)
            for key, value in sorted(default_tags(ctx.config.environment).items())
        ],
        # Scaling policies own the desired capacity.
        opts=pulumi.ResourceOptions(parent=ctx.parent, ignore_changes=["desiredCapacity"]),
    )
    _target_tracking(ctx, group, "cpu-target", CPU_TARGET_PERCENT, "ASGAverageCPUUtilization")
    _target_tracking(
        ctx,
        group,
        "requests-target",
        REQUESTS_PER_TARGET,
        "ALBRequestCountPerTarget",
        pulumi.Output.concat(alb.arn_suffix, "/", target_group.arn_suffix),
    )
    return WebTier(group=group, launch_template=template, renderer_key=key, renderer_bundle=bundle)


def _upload_renderer(ctx: CellContext, key: str) -> aws.s3.BucketObject:
    """The bundle into the primary assets bucket (the key names the bytes: never overwritten)."""
    path, _ = _renderer_bundle()
    return aws.s3.BucketObject(
        ctx.name("web", "renderer-bundle"),
        bucket=ctx.data.primary_assets.id,
        key=key,
        source=pulumi.FileAsset(str(path)),
        content_type="application/zip",
        server_side_encryption="aws:kms",
        kms_key_id=ctx.data.primary_key_arn,
        bucket_key_enabled=True,
        opts=ctx.opts(),
    )
