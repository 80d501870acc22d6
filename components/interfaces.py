"""What one component hands another, as small typed records (so no component reaches into
another's internals). Each is built by its producer (`CellNetwork.outputs`,
`GlobalData.region_outputs(region)`, `RegionalCell.endpoint`, `Identity.outputs`) and passed on
by the assembly (`__main__.py`, assembly/)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.buckets import SecureBucket
from components.data.storage import RegionBuckets


@dataclass(frozen=True)
class IdentityOutputs:
    """The user pool the cart service trusts (Cognito in AWS): reaches every cell's cart
    Lambda through its environment."""

    user_pool_id: pulumi.Output[str]
    client_id: pulumi.Output[str]
    issuer_url: pulumi.Output[str]
    jwks_url: pulumi.Output[str]
    # Managed login: the pool's domain (https://...) and the callback URL the cart finishes on.
    domain_url: pulumi.Output[str]
    callback_url: str


@dataclass(frozen=True)
class NetworkOutputs:
    """A cell network's subnets and per-tier security groups (CellNetwork.outputs)."""

    region: str
    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[Sequence[str]]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    isolated_subnet_ids: pulumi.Output[Sequence[str]]
    alb_security_group_id: pulumi.Output[str]
    alb_health_security_group_id: pulumi.Output[str]
    batch_security_group_id: pulumi.Output[str]
    web_security_group_id: pulumi.Output[str]
    lambda_security_group_id: pulumi.Output[str]
    cache_security_group_id: pulumi.Output[str]
    database_security_group_id: pulumi.Output[str]


@dataclass(frozen=True)
class TableOutputs:
    """A DynamoDB table as one region sees it: its name and the ARN of its copy there."""

    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    # The table's stream where a consumer reads it: the primary region's copy of a global table
    # (every replica's writes arrive there too); None elsewhere.
    stream_arn: pulumi.Output[str] | None = None


@dataclass(frozen=True)
class ClusterOutputs:
    """A region's Aurora cluster of the global database."""

    identifier: pulumi.Output[str]
    arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    # Live in a secondary too (its writer endpoint is not); the cart connects here and the
    # cluster forwards its writes to the writer (components/data/database.py).
    # Search reads here too: each region's own copy.
    reader_endpoint: pulumi.Output[str]
    resource_id: pulumi.Output[str]
    # What must exist before the cluster takes connections (a deploy step waits for them).
    instances: tuple[pulumi.Resource, ...]


@dataclass(frozen=True)
class RegionDataOutputs:
    """GlobalData as one region uses it (GlobalData.region_outputs(region))."""

    region: str
    primary_region: str
    account_id: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    # The primary region's key: it encrypts the primary assets bucket (the web tier's storefront
    # copy lives there).
    primary_key_arn: pulumi.Output[str]
    # This region's buckets: its asset service publishes into its own assets bucket, which
    # replicates to every other region's.
    buckets: RegionBuckets
    primary_assets: SecureBucket
    # The global tables by logical name (handlers/shared/tables.py), ARNs of this region's replica.
    tables: Mapping[str, TableOutputs]
    idempotency: TableOutputs
    cluster: ClusterOutputs
    # The Aurora master secret's copy in this region.
    master_secret_arn: pulumi.Output[str]

    @property
    def is_primary(self) -> bool:
        return self.region == self.primary_region


@dataclass(frozen=True)
class RegionImages:
    """The container images as one region's cell pulls them: digest refs in the region's own
    repositories (built once in the primary, replicated to the others: components/images)."""

    asset: pulumi.Output[str]  # the asset Lambda's image
    asset_batch: pulumi.Output[str]  # the same with its entry point reset, for AWS Batch
    render: pulumi.Output[str]  # the poster render job's image


ValidationOption = aws.acm.outputs.CertificateDomainValidationOption


@dataclass(frozen=True)
class CellEndpoint:
    """What the edge needs from a RegionalCell (RegionalCell.endpoint)."""

    alb_dns_name: pulumi.Output[str]
    alb_zone_id: pulumi.Output[str]
    health_check_id: pulumi.Output[str]
    # The DNS records that validate the ALB's certificate (stacks with a domain), else None.
    certificate_validation_options: pulumi.Output[Sequence[ValidationOption]] | None
    # The Easy DKIM tokens of the cell's SES identity (stacks with a domain), else None.
    dkim_tokens: pulumi.Output[list[str]] | None = None
