"""Lambda code signing (`shop3d:signing:CodeSigning`): every Zip function and dependency layer
deploys from a zip AWS Signer signed, and Lambda refuses any other code (Enforce).

Per region, because AWS Signer signs only objects in buckets of its profile's own region
(cross-region signing is not supported) and a region must deploy without another's help:
- a signing profile on AWSLambda-SHA384-ECDSA (the same name prefix in every region: one
  logical profile for the stack, one regional instance per region),
- a Lambda code-signing configuration that trusts that profile's version only, Enforce,
- the region's assets bucket (private, versioned as Signer requires, SSE-KMS with the region's
  key, access-logged) holds the zips under LAMBDA_UNSIGNED_PREFIX and Signer's output under
  LAMBDA_SIGNED_PREFIX; neither prefix replicates or is served by CloudFront.

Each distinct zip is uploaded once per region under a key derived from its SHA-256 and signed
by one signing job; every function and layer of that region shipping those bytes deploys from
the signed object. Same bytes -> same key, same object version, same job -> no diff. Changed
bytes -> a new key -> a new upload and a new job (a new signed key) -> the function's code
is updated and a new layer version is published. A layer is published once per region
(`RegionCodeSigning.layer`), so functions sharing a layer (cart and cart-schema) name one version.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from components.artifacts import LayerArtifact
from components.buckets import SecureBucket
from components.naming import physical, regional
from components.options import child
from handlers.shared import storage

SIGNING_PLATFORM: Final = "AWSLambda-SHA384-ECDSA"
# A signature older than this fails Lambda's check when the same object is deployed again (a
# replaced function): a code change signs afresh, an unchanged zip needs its job replaced.
SIGNATURE_VALIDITY_MONTHS: Final = 24
# Lambda blocks unsigned or untrusted code: dev too, so a broken signing path shows in dev.
UNTRUSTED_ARTIFACT_ON_DEPLOYMENT: Final = "Enforce"
# Signer profile names: letters, digits and underscores; Terraform's name_prefix allows 38.
PROFILE_PREFIX_MAX: Final = 38
SIGNED_SUFFIX: Final = ".zip"  # Signer keeps a zip's extension: <prefix><job id>.zip


def profile_name_prefix(stack: str) -> str:
    """`shop3d_<stack>_`, with what Signer refuses in a name turned into underscores."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"shop3d_{stack}_")[:PROFILE_PREFIX_MAX]


def hex_digest(sha256_b64: str) -> str:
    """The artifact's base64 SHA-256 (Lambda's form) as hex, for an S3 key."""
    return base64.b64decode(sha256_b64, validate=True).hex()


def unsigned_key(name: str, sha256_b64: str) -> str:
    return f"{storage.LAMBDA_UNSIGNED_PREFIX}{name}/{hex_digest(sha256_b64)}.zip"


def signed_prefix(name: str) -> str:
    return f"{storage.LAMBDA_SIGNED_PREFIX}{name}/"


def first_signed_key(signed_objects: Any) -> str:
    """The key Signer wrote (signed_objects[0].s3s[0].key), from typed outputs or plain dicts."""

    def get(value: Any, field: str) -> Any:
        return value.get(field) if isinstance(value, Mapping) else getattr(value, field, None)

    try:
        key = get(get(signed_objects[0], "s3s")[0], "key")
    except (IndexError, TypeError) as error:
        raise ValueError(
            f"the signing job reported no signed object: {signed_objects!r}"
        ) from error
    if not isinstance(key, str) or not key:
        raise ValueError(f"the signing job reported no signed key: {signed_objects!r}")
    return key


@dataclass(frozen=True)
class SignedZip:
    """A zip uploaded and signed in one region: deploy from `bucket`/`key`."""

    name: str
    sha256: str
    upload: aws.s3.BucketObject
    job: aws.signer.SigningJob
    bucket: pulumi.Output[str]
    key: pulumi.Output[str]


class RegionCodeSigning:
    """One region's profile, code-signing configuration and signed zips."""

    def __init__(
        self,
        parent: pulumi.Resource,
        region: str,
        provider: aws.Provider | None,
        bucket: SecureBucket,
        key_arn: pulumi.Input[str],
    ) -> None:
        self.region = region
        self.bucket = bucket
        self._parent = parent
        self._provider = provider
        self._key_arn = key_arn
        self._signed: dict[str, SignedZip] = {}
        self._layers: dict[str, aws.lambda_.LayerVersion] = {}
        self.profile = aws.signer.SigningProfile(
            regional("signing", region, "profile"),
            platform_id=SIGNING_PLATFORM,
            # A cancelled profile's name can never be used again: a fresh suffix per creation.
            name_prefix=profile_name_prefix(pulumi.get_stack()),
            signature_validity_period=aws.signer.SigningProfileSignatureValidityPeriodArgs(
                type="MONTHS", value=SIGNATURE_VALIDITY_MONTHS
            ),
            tags={"shop3d:signs": "lambda-code"},
            opts=self._opts(),
        )
        self.config = aws.lambda_.CodeSigningConfig(
            regional("signing", region, "config"),
            description=f"shop3d: only code signed by this stack's profile in {region}",
            allowed_publishers=aws.lambda_.CodeSigningConfigAllowedPublishersArgs(
                signing_profile_version_arns=[self.profile.version_arn]
            ),
            policies=aws.lambda_.CodeSigningConfigPoliciesArgs(
                untrusted_artifact_on_deployment=UNTRUSTED_ARTIFACT_ON_DEPLOYMENT
            ),
            opts=self._opts(),
        )

    @property
    def config_arn(self) -> pulumi.Output[str]:
        return self.config.arn

    def _opts(self, depends_on: list[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
        return child(self._parent, provider=self._provider, depends_on=depends_on)

    def sign(self, name: str, path: Path, sha256: str) -> SignedZip:
        """Upload the zip at `path` (its base64 SHA-256 `sha256`) and sign it, once per region:
        a second call with the same name and bytes returns the first result."""
        known = self._signed.get(name)
        if known is not None:
            if known.sha256 != sha256:
                raise ValueError(
                    f"{name}: two different zips under one name in {self.region} "
                    f"({known.sha256} and {sha256}); give each artifact its own name"
                )
            return known
        upload = aws.s3.BucketObject(
            regional("signing", self.region, name, "upload"),
            bucket=self.bucket.id,
            key=unsigned_key(name, sha256),
            source=pulumi.FileAsset(str(path)),
            content_type="application/zip",
            server_side_encryption="aws:kms",
            kms_key_id=self._key_arn,
            # Signer signs a version: the bucket must be versioned before the first upload.
            opts=self._opts(depends_on=[self.bucket.versioning]),
        )
        job = aws.signer.SigningJob(
            regional("signing", self.region, name, "job"),
            profile_name=self.profile.name,
            source=aws.signer.SigningJobSourceArgs(
                s3=aws.signer.SigningJobSourceS3Args(
                    bucket=self.bucket.id, key=upload.key, version=upload.version_id
                )
            ),
            destination=aws.signer.SigningJobDestinationArgs(
                s3=aws.signer.SigningJobDestinationS3Args(
                    bucket=self.bucket.id, prefix=signed_prefix(name)
                )
            ),
            # Wait for the job and fail the deploy if it fails: never deploy unsigned code.
            ignore_signing_job_failure=False,
            opts=self._opts(),
        )
        signed = SignedZip(
            name=name,
            sha256=sha256,
            upload=upload,
            job=job,
            bucket=self.bucket.id,
            key=job.signed_objects.apply(first_signed_key),
        )
        self._signed[name] = signed
        return signed

    def layer(self, layer: LayerArtifact) -> aws.lambda_.LayerVersion:
        """The region's layer version of `layer`, published once from its signed zip: every
        function of the region that ships the layer names this one version."""
        known = self._layers.get(layer.name)
        if known is not None:
            return known
        signed = self.sign(layer.name, layer.path, layer.sha256)
        version = aws.lambda_.LayerVersion(
            regional("signing", self.region, layer.name, "layer"),
            layer_name=physical(layer.name.removeprefix("shop3d-")),
            s3_bucket=signed.bucket,
            s3_key=signed.key,
            compatible_runtimes=list(layer.compatible_runtimes),
            compatible_architectures=list(layer.compatible_architectures),
            description=f"{len(layer.packages)} packages from uv.lock ({layer.name})",
            opts=self._opts(),
        )
        self._layers[layer.name] = version
        return version


@dataclass(frozen=True)
class CodeSigningArgs:
    regions: tuple[str, ...]
    providers: Mapping[str, aws.Provider]
    # Each region's assets bucket and KMS key: the zips live under LAMBDA_*_PREFIX there.
    buckets: Mapping[str, SecureBucket]
    key_arns: Mapping[str, pulumi.Output[str]]


class CodeSigning(pulumi.ComponentResource):
    """Per region: a signing profile, a code-signing configuration and the signed zips that
    the region's functions and layers deploy from (see the module docstring)."""

    regions: dict[str, RegionCodeSigning]

    def __init__(
        self, name: str, args: CodeSigningArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("shop3d:signing:CodeSigning", name, None, opts)
        missing = [
            r
            for r in args.regions
            if r not in args.buckets or r not in args.providers or r not in args.key_arns
        ]
        if missing:
            raise ValueError(
                f"code signing needs a provider, assets bucket and key in every "
                f"region; missing for {', '.join(missing)}"
            )
        self.regions = {
            region: RegionCodeSigning(
                self, region, args.providers[region], args.buckets[region], args.key_arns[region]
            )
            for region in args.regions
        }
        # The zips are signed later, as the functions that ship them are built.
        self.register_outputs(
            {
                "profileVersionArns": {r: s.profile.version_arn for r, s in self.regions.items()},
                "codeSigningConfigArns": {r: s.config_arn for r, s in self.regions.items()},
            }
        )
