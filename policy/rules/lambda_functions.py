"""Lambda functions, their permissions and URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import at_least, is_set, is_unknown, items

rules = RuleSet()
FUNCTION = (t.FUNCTION,)
# Runtimes Lambda supports without a deprecation date passed (checked 2026-11).
SUPPORTED_RUNTIMES = frozenset(
    {
        "python3.11",
        "python3.12",
        "python3.13",
        "python3.14",
        "nodejs22.x",
        "nodejs24.x",
        "java17",
        "java21",
        "java25",
        "dotnet8",
        "dotnet10",
        "ruby3.3",
        "ruby3.4",
        "provided.al2023",
    }
)
# Variable names that carry a secret itself (a *_ARN / *_NAME / *_ID pointing at one is fine).
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|_KEY$")
REFERENCE_SUFFIXES = ("_ARN", "_NAME", "_ID", "_URL_PARAM")
SECRET_VALUE = re.compile(
    r"AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY|://[^/:@\s]+:[^/@\s]+@"
)  # an access key id, a PEM key, a URL with user:password
# Services that only invoke synchronously (the caller waits for the answer and sees a failure),
# so a dead-letter queue would never receive anything: the ALB, and Cognito's user pool triggers.
SYNC_INVOKERS = frozenset({"elasticloadbalancing.amazonaws.com", "cognito-idp.amazonaws.com"})


@rules.resource(
    "lambda-supported-runtime",
    "Zip functions use a runtime Lambda still supports (images carry their own).",
    FUNCTION,
    "CKV_AWS_363; Lambda.2",
)
def supported_runtime(resource: Resource) -> Iterator[str]:
    if resource.get("packageType") == "Image":
        return
    runtime = resource.get("runtime")
    if not is_unknown(runtime) and runtime not in SUPPORTED_RUNTIMES:
        yield f"runtime {runtime!r} is not supported: use python3.12 or newer"


@rules.resource(
    "lambda-xray-tracing",
    "Active X-Ray tracing.",
    FUNCTION,
    "enable-tracing-config; CKV_AWS_50",
)
def tracing(resource: Resource) -> Iterator[str]:
    mode = resource.get("tracingConfig.mode")
    if not is_unknown(mode) and mode != "Active":
        yield f"tracingConfig.mode {mode!r}: set Active"


@rules.resource(
    "lambda-permission-not-public",
    "No permission lets everyone ('*') invoke a function.",
    (t.PERMISSION,),
    "CKV_AWS_301; Lambda.1",
)
def permission_not_public(resource: Resource) -> Iterator[str]:
    if resource.get("principal") == "*":
        yield "principal '*' makes the function public: name the service or account"


@rules.resource(
    "lambda-permission-source-arn",
    "A permission for an AWS service names the source (sourceArn or sourceAccount).",
    (t.PERMISSION,),
    "lambda-permission-configure-source-arn; CKV_AWS_364",
)
def permission_source(resource: Resource) -> Iterator[str]:
    principal = str(resource.get("principal") or "")
    if principal.endswith(".amazonaws.com") and not (
        is_set(resource.get("sourceArn")) or is_set(resource.get("sourceAccount"))
    ):
        yield f"principal {principal} without sourceArn: any {principal} resource could invoke"


@rules.resource(
    "lambda-url-auth",
    "Function URLs require IAM auth.",
    (t.FUNCTION_URL,),
    "CKV_AWS_258",
)
def url_auth(resource: Resource) -> Iterator[str]:
    if resource.get("authorizationType") != "AWS_IAM":
        yield f"authorizationType {resource.get('authorizationType')!r}: use AWS_IAM"


@rules.resource(
    "lambda-in-vpc",
    "Functions run in the VPC, in at least two subnets, with a security group.",
    FUNCTION,
    "CKV_AWS_117; Lambda.3, Lambda.5",
)
def in_vpc(resource: Resource) -> Iterator[str]:
    subnets = resource.get("vpcConfig.subnetIds")
    groups = resource.get("vpcConfig.securityGroupIds")
    if not is_unknown(subnets) and len(items(subnets)) < 2:
        yield "vpcConfig.subnetIds: attach at least 2 private subnets (2 AZs)"
    if not is_set(groups):
        yield "vpcConfig.securityGroupIds is empty"


@rules.stack(
    "lambda-concurrency-cap",
    "A function SQS invokes is capped so a backlog cannot take the region's quota: the event "
    "source's scalingConfig.maximumConcurrency (or a reservation). CKV_AWS_115 asks every "
    "function to reserve; that is refused on purpose: reservations take quota from every "
    "other function, and a new account's 10 cannot be reserved at all.",
    "CKV_AWS_115",
)
def concurrency_cap(stack: Stack) -> Iterator[Violation]:
    for mapping in stack.of_type("aws:lambda/eventSourceMapping:EventSourceMapping"):
        if at_least(mapping.get("scalingConfig.maximumConcurrency"), 2):
            continue
        functions = [
            f for f in stack.of_type(t.FUNCTION) if stack.refers(mapping, "functionName", f)
        ]
        if functions and all(at_least(f.get("reservedConcurrentExecutions"), 1) for f in functions):
            continue
        yield (
            mapping,
            f"event source {mapping.name}: set scalingConfig.maximumConcurrency (2-1000)",
        )


@rules.stack(
    "lambda-dead-letter",
    "Failed asynchronous invocations are kept: a dead-letter target, or the SQS source "
    "queue's redrive policy; functions only synchronous callers invoke (the ALB, Cognito "
    "triggers) need neither.",
    "CKV_AWS_116",
)
def dead_letter(stack: Stack) -> Iterator[Violation]:
    mappings = stack.of_type(t.EVENT_SOURCE_MAPPING)
    queues = stack.of_type(t.SQS_QUEUE)
    permissions = stack.of_type(t.PERMISSION)
    for function in stack.of_type(t.FUNCTION):
        if is_set(function.get("deadLetterConfig.targetArn")):
            continue
        sources = [m for m in mappings if stack.refers(m, "functionName", function)]
        if sources and all(
            any(
                stack.refers(m, "eventSourceArn", q) and is_set(q.get("redrivePolicy"))
                for q in queues
            )
            for m in sources
        ):
            continue
        invokers = {
            str(p.get("principal")) for p in permissions if stack.refers(p, "function", function)
        }
        if not sources and invokers and invokers <= SYNC_INVOKERS:
            continue
        yield (
            function,
            (
                f"function {function.name}: set deadLetterConfig.targetArn, or give its SQS "
                "source queue a redrivePolicy"
            ),
        )


@rules.resource(
    "lambda-environment-cmk",
    "Environment variables are encrypted with a customer managed key.",
    FUNCTION,
    "CKV_AWS_173",
)
def environment_cmk(resource: Resource) -> Iterator[str]:
    if is_set(resource.get("environment.variables")) and not is_set(resource.get("kmsKeyArn")):
        yield "environment variables without kmsKeyArn: encrypt them with the region's key"


@rules.resource(
    "lambda-no-secrets-in-environment",
    "No secret values in environment variables: pass the secret's ARN, read it at runtime.",
    FUNCTION,
    "CKV_AWS_45",
)
def no_secrets(resource: Resource) -> Iterator[str]:
    variables = resource.get("environment.variables")
    if not isinstance(variables, dict):
        return
    for name, value in sorted(variables.items()):
        if is_unknown(value):
            continue
        if SECRET_NAME.search(name) and not name.endswith(REFERENCE_SUFFIXES):
            yield f"{name} looks like a secret: store it in Secrets Manager, pass {name}_ARN"
        elif isinstance(value, str) and SECRET_VALUE.search(value):
            yield f"{name} holds a credential in clear text"


@rules.resource(
    "lambda-code-signing",
    "Zip functions verify their code with a code-signing configuration.",
    FUNCTION,
    "CKV_AWS_272",
)
def code_signing(resource: Resource) -> Iterator[str]:
    if resource.get("packageType") == "Image":
        return  # Lambda code signing applies to Zip packages only
    if not is_set(resource.get("codeSigningConfigArn")):
        yield "codeSigningConfigArn is not set"
