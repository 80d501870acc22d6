"""A Lambda function the one way shop3d makes them, for any component that hosts one: in the
VPC's private subnets, X-Ray active tracing, reserved concurrency only where the spec asks, its
own log group
(retention, the region's key), environment encrypted with the region's key, a dead-letter queue
for functions invoked asynchronously, and a role that reaches only what its statements name.
A Zip function and its layers deploy from zips signed in their region
(components/code_signing.py) under the region's code-signing configuration (Enforce).

The host (a cell's CellContext, or a ComponentHost for a component outside the cells such as
Identity) says where: region, network, key, and how its children are named and parented.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Protocol

import pulumi
import pulumi_aws as aws

from components import iam
from components.artifacts import LambdaArtifact
from components.code_signing import RegionCodeSigning
from components.interfaces import NetworkOutputs
from components.naming import physical, regional
from components.options import child
from stack_config.config import StackConfig

# AWS-managed policies every function needs: ENIs in the VPC, X-Ray segments. Both act on "*"
# by design (ENI ids and trace segments are not known in advance); neither touches data.
VPC_ACCESS_POLICY: Final = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
XRAY_WRITE_POLICY: Final = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"


class FunctionHost(Protocol):
    """Where a function lives and how its resources are named (CellContext is one)."""

    @property
    def region(self) -> str: ...

    @property
    def config(self) -> StackConfig: ...

    @property
    def network(self) -> NetworkOutputs: ...

    @property
    def key_arn(self) -> pulumi.Output[str]: ...

    @property
    def code_signing(self) -> RegionCodeSigning: ...

    def name(self, *parts: str) -> str: ...

    def physical(self, *parts: str) -> str: ...

    def opts(
        self, depends_on: Sequence[pulumi.Resource] | None = None
    ) -> pulumi.ResourceOptions: ...


@dataclass(frozen=True)
class ComponentHost:
    """A FunctionHost for a component outside the cells: children of `parent`, logical names
    `<scope>-<region>-<parts>`, in `region`, on that region's cell network, key and code
    signing."""

    parent: pulumi.Resource
    scope: str
    region: str
    config: StackConfig
    network: NetworkOutputs
    key_arn: pulumi.Output[str]
    code_signing: RegionCodeSigning

    def name(self, *parts: str) -> str:
        return regional(self.scope, self.region, *parts)

    def physical(self, *parts: str) -> str:
        return physical(*parts)

    def opts(self, depends_on: Sequence[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
        return child(self.parent, depends_on=depends_on)


@dataclass(frozen=True)
class FunctionSpec:
    role: str  # "cart" | "asset" | "pre-token": logical and physical name part
    artifact: LambdaArtifact
    description: str
    memory_mb: int
    timeout_seconds: int
    environment: Mapping[str, pulumi.Input[str]]
    statements: Sequence[iam.Statement]
    ephemeral_storage_mb: int = 512
    # None: no reservation (a reservation takes quota from every other function of the
    # region, and a new account has only 10 of which Lambda keeps 10 unreserved).
    reserved_concurrency: int | None = None
    extra_depends_on: Sequence[pulumi.Resource] = field(default=())


@dataclass(frozen=True)
class HostedFunction:
    function: aws.lambda_.Function
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup


@dataclass(frozen=True)
class _Code:
    """The Function arguments that depend on the package type (signed Zip plus layers, or
    Image: Lambda code signing covers zip archives only)."""

    package_type: str
    s3_bucket: pulumi.Output[str] | None = None
    s3_key: pulumi.Output[str] | None = None
    code_signing_config_arn: pulumi.Output[str] | None = None
    handler: str | None = None
    runtime: str | None = None
    layers: list[pulumi.Output[str]] | None = None
    image_uri: pulumi.Input[str] | None = None
    image_config: aws.lambda_.FunctionImageConfigArgs | None = None


def _archive_path(role: str, archive: pulumi.Archive | None) -> Path:
    if not isinstance(archive, pulumi.FileArchive):
        raise ValueError(
            f"{role}: a Zip artifact's code must be a pulumi.FileArchive of the "
            f"built zip (the file is uploaded and signed); got {archive!r}"
        )
    return Path(archive.path)


def _code(host: FunctionHost, spec: FunctionSpec, image_uri: pulumi.Input[str] | None) -> _Code:
    artifact = spec.artifact
    if artifact.package_type == "Image":
        if image_uri is None:
            raise ValueError(f"{spec.role}: the artifact is a container image; pass image_uri")
        # The image's entry point is Lambda's runtime interface client; the command names the
        # handler.
        return _Code(
            package_type="Image",
            image_uri=image_uri,
            image_config=aws.lambda_.FunctionImageConfigArgs(commands=[artifact.handler]),
        )
    signing = host.code_signing
    if signing.region != host.region:
        # Lambda takes code only from a bucket in the function's region.
        raise ValueError(
            f"{spec.role}: a function in {host.region} cannot deploy code signed "
            f"in {signing.region}; give it {host.region}'s code signing"
        )
    layers = [signing.layer(layer) for layer in artifact.layers]
    code = signing.sign(
        f"{artifact.name}-code", _archive_path(spec.role, artifact.code), artifact.sha256
    )
    return _Code(
        package_type="Zip",
        s3_bucket=code.bucket,
        s3_key=code.key,
        code_signing_config_arn=signing.config_arn,
        handler=artifact.handler,
        runtime=artifact.runtime,
        layers=[layer.arn for layer in layers],
    )


def hosted_function(
    host: FunctionHost,
    spec: FunctionSpec,
    dead_letter_arn: pulumi.Input[str] | None,
    image_uri: pulumi.Input[str] | None = None,
) -> HostedFunction:
    """The function, its log group and role. `dead_letter_arn` is None only for a function
    nothing invokes asynchronously (a Cognito trigger: Cognito waits for the answer)."""
    name = host.physical(spec.role)
    log_group = aws.cloudwatch.LogGroup(
        host.name(spec.role, "logs"),
        name=f"/aws/lambda/{name}",
        retention_in_days=host.config.log_retention_days,
        kms_key_id=host.key_arn,
        opts=host.opts(),
    )
    role = aws.iam.Role(
        host.name(spec.role, "role"),
        assume_role_policy=iam.assume_role("lambda.amazonaws.com"),
        description=f"shop3d {spec.role} Lambda in {host.region}",
        opts=host.opts(),
    )
    attachments = [
        aws.iam.RolePolicyAttachment(
            host.name(spec.role, "role", suffix),
            role=role.name,
            policy_arn=policy_arn,
            opts=host.opts(),
        )
        for suffix, policy_arn in (("vpc", VPC_ACCESS_POLICY), ("xray", XRAY_WRITE_POLICY))
    ]
    dead_letter = (
        [iam.allow(["sqs:SendMessage"], [dead_letter_arn], sid="DeadLetterQueue")]
        if dead_letter_arn is not None
        else []
    )
    policy = aws.iam.RolePolicy(
        host.name(spec.role, "role", "policy"),
        role=role.id,
        policy=iam.document(
            [
                iam.allow(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [pulumi.Output.concat(log_group.arn, ":*")],
                    sid="OwnLogGroup",
                ),
                *dead_letter,
                iam.allow(["kms:Decrypt", "kms:GenerateDataKey"], [host.key_arn], sid="RegionKey"),
                *spec.statements,
            ]
        ),
        opts=host.opts(),
    )
    code = _code(host, spec, image_uri)
    function = aws.lambda_.Function(
        host.name(spec.role),
        name=name,
        description=spec.description,
        role=role.arn,
        architectures=[spec.artifact.architecture],
        memory_size=spec.memory_mb,
        timeout=spec.timeout_seconds,
        ephemeral_storage=aws.lambda_.FunctionEphemeralStorageArgs(size=spec.ephemeral_storage_mb),
        reserved_concurrent_executions=spec.reserved_concurrency,
        environment=(
            aws.lambda_.FunctionEnvironmentArgs(variables=dict(spec.environment))
            if spec.environment
            else None
        ),
        kms_key_arn=host.key_arn,
        tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
        dead_letter_config=(
            aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=dead_letter_arn)
            if dead_letter_arn is not None
            else None
        ),
        vpc_config=aws.lambda_.FunctionVpcConfigArgs(
            subnet_ids=host.network.private_subnet_ids,
            security_group_ids=[host.network.lambda_security_group_id],
        ),
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(
            log_format="JSON", log_group=log_group.name
        ),
        package_type=code.package_type,
        s3_bucket=code.s3_bucket,
        s3_key=code.s3_key,
        code_signing_config_arn=code.code_signing_config_arn,
        handler=code.handler,
        runtime=code.runtime,
        layers=code.layers,
        image_uri=code.image_uri,
        image_config=code.image_config,
        # The role's permissions must exist before Lambda validates the VPC and DLQ settings.
        opts=host.opts(depends_on=[log_group, policy, *attachments, *spec.extra_depends_on]),
    )
    return HostedFunction(function=function, role=role, log_group=log_group)
