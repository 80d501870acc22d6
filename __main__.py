"""shop3d: read the stack config; build networks, the data layer, identity, a cell per region,
the edge and account security; export what operators and CI need."""

import pulumi

from assembly.config_source import load_config
from assembly.providers import make_providers
from assembly.stack_secrets import make_cart_cookie_key, make_stripe_keys
from assembly.stamp import stamp_cells, stamp_networks
from components.code_signing import CodeSigning, CodeSigningArgs
from components.global_data import GlobalData, GlobalDataArgs
from components.global_edge import GlobalEdge, GlobalEdgeArgs
from components.identity import Identity, IdentityArgs
from components.images import ContainerImages, ContainerImagesArgs
from components.origin_secret import OriginSecret, OriginSecretArgs
from components.security import AccountSecurity, AccountSecurityArgs

config = load_config()
providers = make_providers(config)
networks = stamp_networks(config, providers)
data = GlobalData(
    "data",
    GlobalDataArgs(
        config=config,
        providers=providers.by_region,
        networks={region: network.outputs for region, network in networks.items()},
    ),
    opts=providers.opts(config.primary.name),
)
origin_secret = OriginSecret(
    "origin-secret",
    OriginSecretArgs(config, data.key_arns),
    opts=providers.opts(config.primary.name),
)
# Per region: a Signer profile and a code-signing configuration; every Zip function and layer
# deploys from a zip signed in its region (kept in that region's assets bucket).
signing = CodeSigning(
    "signing",
    CodeSigningArgs(
        regions=config.region_names,
        providers=providers.by_region,
        buckets={r: data.buckets[r].assets for r in config.region_names},
        key_arns=data.key_arns,
    ),
    opts=providers.opts(config.primary.name),
)
# Cognito lives in the primary region; every cell's cart Lambda trusts its tokens.
identity = Identity(
    "identity",
    IdentityArgs(
        config=config,
        network=networks[config.primary.name].outputs,
        key_arn=data.key_arns[config.primary.name],
        code_signing=signing.regions[config.primary.name],
    ),
    opts=providers.opts(config.primary.name),
)
cookie_key = make_cart_cookie_key(config, providers, data.key_arns)
stripe_keys = make_stripe_keys(config, providers, data.key_arns)
data_by_region = {region: data.region_outputs(region) for region in config.region_names}
# Each container image built once in the primary region; ECR replication copies it to the rest.
images = ContainerImages(
    "images",
    ContainerImagesArgs(config=config, providers=providers.by_region, key_arns=data.key_arns),
    opts=providers.opts(config.primary.name),
)
cells = stamp_cells(
    config,
    providers,
    networks,
    data_by_region,
    origin_secret,
    signing,
    cookie_key,
    identity=identity.outputs,
    images=images.regions,
    stripe_keys=stripe_keys,
)
# CloudFront, WAF and Route 53 in front of the cells (us-east-1 for the global parts).
edge = GlobalEdge(
    "edge",
    GlobalEdgeArgs(
        config=config,
        providers=providers.by_region,
        edge_provider=providers.edge,
        data=data_by_region,
        cells={region: cell.endpoint for region, cell in cells.items()},
        origin_header_name=origin_secret.header_name,
        origin_header_value=origin_secret.value,
    ),
)
# After the cells: GuardDuty findings go to each cell's alarm topic.
security = AccountSecurity(
    "security",
    AccountSecurityArgs(
        config=config,
        providers=providers.by_region,
        data=data_by_region,
        alarm_topic_arns={r: c.alarm_topic_arn for r, c in cells.items()},
    ),
    opts=providers.opts(config.primary.name),
)

pulumi.export("primaryRegion", config.primary.name)
pulumi.export("regions", list(config.region_names))
pulumi.export("keyArns", data.key_arns)
pulumi.export("tableNames", data.table_names)
pulumi.export("tableArns", data.table_arns)
pulumi.export("bucketNames", data.bucket_names)
pulumi.export("databaseWriterEndpoint", data.database.writer_endpoint)
# What `./shop3d failover` acts on: the global cluster, each region's cluster and cell.
pulumi.export(
    "failoverTargets",
    {
        "globalClusterId": data.database.global_cluster.global_cluster_identifier,
        "clusterArns": {r: c.cluster.arn for r, c in data.database.clusters.items()},
        "cells": {
            r: {
                "albDnsName": cell.alb_dns_name,
                "albZoneId": cell.alb_zone_id,
                "healthCheckId": cell.health_check_id,
            }
            for r, cell in cells.items()
        },
    },
)
pulumi.export("vpcIds", {region: cell.vpc_id for region, cell in cells.items()})
pulumi.export("userPoolId", identity.outputs.user_pool_id)
pulumi.export("userPoolClientId", identity.outputs.client_id)
pulumi.export("authIssuerUrl", identity.outputs.issuer_url)
pulumi.export("authJwksUrl", identity.outputs.jwks_url)
pulumi.export("authHostedUiUrl", identity.hosted_ui_url)
pulumi.export("trailArn", security.trail.arn)
pulumi.export("backupVaultArns", {r: v.arn for r, v in security.vaults.items()})
for name, value in edge.outputs.items():
    pulumi.export(name, value)
