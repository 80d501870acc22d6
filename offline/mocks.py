"""Pulumi mocks for running the program offline: what AWS would answer, shaped enough for the
program to finish (ARNs in the right region, awsx's VPC outputs, invoke results).

The values are placeholders of the right shape, never presented as real: the offline runner
and `plan` say they show the desired state, not a deployment.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pulumi

from policy import tokens as t

ACCOUNT_ID = "123456789012"
# CloudFront's origin-facing managed prefix list has this id in every region.
CLOUDFRONT_PREFIX_LIST = "pl-3b927c52"

Outputs = dict[str, Any]
OutputFn = Callable[[pulumi.runtime.MockResourceArgs, str, str], Outputs]


def _service(type_token: str) -> str:
    """'aws:s3/bucket:Bucket' -> 's3'."""
    return type_token.split(":")[1].split("/")[0]


def arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource}"


def _vpc(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    azs = int(args.inputs.get("numberOfAvailabilityZones", 2))

    def ids(kind: str) -> list[str]:
        return [f"subnet-{kind}-{region}-{i}" for i in range(azs)]

    return {
        "vpcId": f"vpc-{args.name}",
        "publicSubnetIds": ids("public"),
        "privateSubnetIds": ids("private"),
        "isolatedSubnetIds": ids("isolated"),
        "natGateways": [],
    }


def _bucket(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    name = args.inputs.get("bucket", physical)
    return {
        "bucket": name,
        "arn": f"arn:aws:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
        "region": region,
    }


def _table(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    table_arn = arn("dynamodb", region, f"table/{physical}")
    return {"arn": table_arn, "streamArn": f"{table_arn}/stream/2026-01-01T00:00:00.000"}


def _cluster(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    identifier = args.inputs.get("clusterIdentifier", physical)
    host = f"{identifier}.cluster-abcdefghijkl.{region}.rds.amazonaws.com"
    return {
        "arn": arn("rds", region, f"cluster:{identifier}"),
        "endpoint": host,
        "readerEndpoint": host.replace(".cluster-", ".cluster-ro-"),
        "clusterResourceId": f"cluster-{identifier.upper()[:20]}",
    }


def _global_cluster(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    identifier = args.inputs.get("globalClusterIdentifier", physical)
    return {
        "arn": f"arn:aws:rds::{ACCOUNT_ID}:global-cluster:{identifier}",
        "endpoint": f"{identifier}.global-abcdefghijkl.global.rds.amazonaws.com",
    }


def _kms_key(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    # Stable across runs (unlike hash()), so plans and diagrams do not churn.
    key_id = "mrk-" + hashlib.sha256(args.name.encode()).hexdigest()[:32]
    return {"keyId": key_id, "arn": arn("kms", region, f"key/{key_id}")}


def _sar_stack(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    return {"outputs": {"RotationLambdaARN": arn("lambda", region, f"function:{physical}")}}


def _random_password(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    return {"result": "offline-placeholder-" + "x" * 20}


def _certificate(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    """ACM asks for one CNAME per name on the certificate."""
    names = [args.inputs.get("domainName", ""), *args.inputs.get("subjectAlternativeNames", [])]
    return {
        "domainValidationOptions": [
            {
                "domainName": name,
                "resourceRecordType": "CNAME",
                "resourceRecordName": f"_{hashlib.sha256(name.encode()).hexdigest()[:32]}.{name}.",
                "resourceRecordValue": f"_{hashlib.sha256(name.encode()).hexdigest()[32:]}"
                ".acm-validations.aws.",
            }
            for name in names
        ]
    }


def _email_identity(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    """SES Easy DKIM: three tokens per identity and region."""
    seed = f"{args.name}{region}".encode()
    tokens = [hashlib.sha256(seed + bytes([i])).hexdigest()[:32] for i in range(3)]
    return {"dkimSigningAttributes": {"tokens": tokens, "nextSigningKeyLength": "RSA_2048_BIT"}}


def _distribution(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    distribution_id = "E" + hashlib.sha256(args.name.encode()).hexdigest()[:13].upper()
    return {
        "domainName": f"d{distribution_id[1:].lower()}.cloudfront.net",
        # CloudFront's alias hosted zone id, the same for every distribution.
        "hostedZoneId": "Z2FDTNDATAQYW2",
        "arn": f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/{distribution_id}",
    }


def _zone(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    zone_id = "Z" + hashlib.sha256(args.name.encode()).hexdigest()[:20].upper()
    return {
        "zoneId": zone_id,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "nameServers": [f"ns-{i}.awsdns-{i}.org" for i in range(4)],
    }


def _record(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    return {"fqdn": str(args.inputs.get("name", "")).rstrip(".")}


# Type token -> extra outputs. Types not listed get an id, an ARN and their inputs back.
OUTPUTS: dict[str, OutputFn] = {
    t.AWSX_VPC: _vpc,
    t.BUCKET: _bucket,
    t.TABLE: _table,
    t.RDS_CLUSTER: _cluster,
    t.RDS_GLOBAL_CLUSTER: _global_cluster,
    t.KMS_KEY: _kms_key,
    t.KMS_REPLICA_KEY: _kms_key,
    t.SAR_STACK: _sar_stack,
    t.RANDOM_PASSWORD: _random_password,
    t.ACM_CERTIFICATE: _certificate,
    t.DISTRIBUTION: _distribution,
    t.HOSTED_ZONE: _zone,
    t.DNS_RECORD: _record,
    t.SES_EMAIL_IDENTITY: _email_identity,
}


# RegionalCell (components/cell/): outputs its resources read back.
def _load_balancer(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    suffix = f"app/{args.name[:32]}/0123456789abcdef"
    return {
        "arnSuffix": suffix,
        "arn": arn("elasticloadbalancing", region, f"loadbalancer/{suffix}"),
        "dnsName": f"{args.name[:32]}-123456789.{region}.elb.amazonaws.com",
        "zoneId": "Z35SXDOTRQ7X7K",
    }


def _target_group(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    suffix = f"targetgroup/{args.name[:32]}/0123456789abcdef"
    return {"arnSuffix": suffix, "arn": arn("elasticloadbalancing", region, suffix)}


def _ecr_repository(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    return {
        "registryId": ACCOUNT_ID,
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{physical}",
    }


def _docker_image(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    tag = (args.inputs.get("tags") or [f"offline/{args.name}:latest"])[0]
    digest = "sha256:" + hashlib.sha256(str(tag).encode()).hexdigest()
    return {"digest": digest, "ref": f"{str(tag).rsplit(':', 1)[0]}@{digest}"}


def _replicated_image(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    """ReplicatedImage: the digest in the region's repository, once it arrived."""
    return {"ref": f"{args.inputs['repository_url']}@{args.inputs['digest']}"}


def _key_signing_key(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    """A KSK's DS record as Route 53 gives it: algorithm 13 (ECDSAP256SHA256), digest type 2
    (SHA-256), for the zone's apex."""
    digest = hashlib.sha256(str(args.inputs.get("hostedZoneId")).encode()).hexdigest().upper()
    return {"dsRecord": f"{int(digest[:4], 16)} 13 2 {digest}", "keyTag": int(digest[:4], 16)}


OUTPUTS.update(
    {
        t.KEY_SIGNING_KEY: _key_signing_key,
        t.DYNAMIC_RESOURCE: _replicated_image,
        t.LOAD_BALANCER: _load_balancer,
        t.TARGET_GROUP: _target_group,
        t.ECR_REPOSITORY: _ecr_repository,
        t.DOCKER_IMAGE: _docker_image,
        t.LAUNCH_TEMPLATE: lambda args, region, physical: {"latestVersion": 1},
        t.REPLICATION_GROUP: lambda args, region, physical: {
            "primaryEndpointAddress": f"master.{physical}.abcdef.{region[:6]}.cache.amazonaws.com"
        },
    }
)


# Lambda code signing (components/code_signing.py): what the program reads back.
def _stable(*parts: object) -> str:
    return hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()


def _signing_profile(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    """name_prefix plus a suffix, as Terraform names it; a version and its ARN."""
    suffix = _stable(args.name)[:26]
    name = args.inputs.get("name") or f"{args.inputs.get('namePrefix', '')}{suffix}"
    profile_arn = arn("signer", region, f"/signing-profiles/{name}")
    version = _stable(args.name, "version")[:10]
    return {
        "name": name,
        "arn": profile_arn,
        "version": version,
        "versionArn": f"{profile_arn}/{version}",
        "status": "Active",
    }


def _code_signing_config(
    args: pulumi.runtime.MockResourceArgs, region: str, physical: str
) -> Outputs:
    config_id = "csc-" + _stable(args.name)[:17]
    return {"configId": config_id, "arn": arn("lambda", region, f"code-signing-config:{config_id}")}


def _bucket_object(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    """A versioned bucket gives every upload a version id (Signer signs that version)."""
    return {
        "versionId": _stable(args.inputs.get("bucket"), args.inputs.get("key"))[:32],
        "arn": f"arn:aws:s3:::{args.inputs.get('bucket')}/{args.inputs.get('key')}",
    }


def _signing_job(args: pulumi.runtime.MockResourceArgs, region: str, physical: str) -> Outputs:
    """Signer writes a signed zip to <destination prefix><job id>.zip in the destination bucket."""
    source = args.inputs.get("source", {}).get("s3", {})
    destination = args.inputs.get("destination", {}).get("s3", {})
    job_id = str(
        uuid.UUID(_stable(source.get("bucket"), source.get("key"), source.get("version"))[:32])
    )
    key = f"{destination.get('prefix', '')}{job_id}.zip"
    return {
        "jobId": job_id,
        "jobOwner": ACCOUNT_ID,
        "status": "Succeeded",
        "statusReason": "Signing Succeeded",
        "platformId": "AWSLambda-SHA384-ECDSA",
        "signedObjects": [{"s3s": [{"bucket": destination.get("bucket"), "key": key}]}],
    }


OUTPUTS.update(
    {
        t.SIGNING_PROFILE: _signing_profile,
        t.CODE_SIGNING_CONFIG: _code_signing_config,
        t.BUCKET_OBJECT: _bucket_object,
        t.SIGNING_JOB: _signing_job,
    }
)


# Invoke token -> result.
CALLS: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda args, region: {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline",
        "userId": "OFFLINE",
        "id": ACCOUNT_ID,
    },
    "aws:index/getRegion:getRegion": lambda args, region: {
        "name": region,
        "region": region,
        "id": region,
    },
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": lambda args, region: {
        "id": CLOUDFRONT_PREFIX_LIST,
        "name": args.get("name", ""),
        "arn": arn("ec2", region, f"prefix-list/{CLOUDFRONT_PREFIX_LIST}"),
    },
    # The Elastic Load Balancing account of us-east-1; other regions have their own.
    "aws:elb/getServiceAccount:getServiceAccount": lambda args, region: {
        "arn": "arn:aws:iam::127311923021:root",
        "id": "127311923021",
    },
}


# RegionalCell and CellNetwork invokes.
CALLS.update(
    {
        "aws:ecr/getAuthorizationToken:getAuthorizationToken": lambda args, region: {
            "userName": "AWS",
            "password": "offline-placeholder-token",
            "authorizationToken": "offline",
            "proxyEndpoint": f"https://{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com",
            "expiresAt": "",
            "id": region,
        },
        "aws:ec2/getRouteTables:getRouteTables": lambda args, region: {
            "ids": [
                f"rtb-{kind}-{region}-{i}"
                for kind in ("public", "private", "isolated")
                for i in range(2)
            ],
            "id": region,
        },
    }
)

# AccountSecurity with shop3d:guardDuty=existing: the region's one detector, looked up.
CALLS["aws:guardduty/getDetector:getDetector"] = lambda args, region: {
    "id": "existing-detector-" + region,
    "status": "ENABLED",
    "findingPublishingFrequency": "SIX_HOURS",
    "serviceRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/guardduty.amazonaws.com",
    "features": [],
    "tags": {},
}

# Identity: a social provider's client secret, read from Secrets Manager at deploy time.
CALLS["aws:secretsmanager/getSecretVersion:getSecretVersion"] = lambda args, region: {
    "arn": arn("secretsmanager", region, f"secret:{args.get('secretId', 'secret')}"),
    "id": args.get("secretId", ""),
    "secretId": args.get("secretId", ""),
    "secretString": "offline-placeholder-secret",
    "versionId": "v1",
    "versionStage": "AWSCURRENT",
    "versionStages": ["AWSCURRENT"],
    "secretBinary": "",
    "createdDate": "2026-01-01T00:00:00Z",
}


class OfflineMocks(pulumi.runtime.Mocks):
    """Answers registrations and invokes; `region_of` maps a provider reference to a region."""

    def __init__(self, region_of: Callable[[str | None], str]) -> None:
        self._region_of = region_of

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-id", dict(args.inputs)
        region = args.inputs.get("region") or self._region_of(args.provider)
        physical = args.inputs.get("name") or f"{args.name}-0a1b2c3"
        state: dict[str, Any] = {"name": physical, **args.inputs}
        if args.custom:
            state.setdefault("arn", arn(_service(args.typ), region, physical))
        extra = OUTPUTS.get(args.typ)
        if extra is not None:
            state.update(extra(args, region, physical))
        physical_id = state.get("bucket") if args.typ == t.BUCKET else None
        return str(physical_id or f"{args.name}-id"), state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        handler = CALLS.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"offline mocks have no answer for the invoke {args.token}: add one to "
                "offline/mocks.py CALLS"
            )
        return handler(args.args, self._region_of(args.provider or None))
