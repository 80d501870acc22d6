"""What is packaged for where: the handlers, their entry points, the Lambda runtime and
architectures they target, and Lambda's size limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, get_args

from stack_config.config import Architecture as Architecture  # re-exported: one definition

Handler = Literal["asset", "cart", "identity"]
PackageType = Literal["Zip", "Image"]

HANDLERS: Final[tuple[Handler, ...]] = get_args(Handler)
ARCHITECTURES: Final[tuple[Architecture, ...]] = get_args(Architecture)

# Lambda's newest Python runtime with manylinux_2_34 wheels (Amazon Linux 2023, glibc 2.34).
RUNTIME: Final = "python3.12"
PYTHON_VERSION: Final = "3.12"
GLIBC_TAG: Final = "manylinux_2_34"
# Each handler is packaged from the uv dependency group of the same name.
ENTRY_POINTS: Final[Mapping[Handler, str]] = {
    "asset": "handlers.asset.handler.lambda_handler",
    "cart": "handlers.cart.api.lambda_entry.lambda_handler",
    "identity": "handlers.identity.handler.lambda_handler",
}
# Handlers that need only the standard library and what Lambda's Python runtime bundles
# (boto3/botocore): no dependency group, no layer. The Cognito trigger is one: a small package
# keeps its cold start inside Cognito's 5-second wait.
RUNTIME_ONLY: Final[frozenset[Handler]] = frozenset({"identity"})
RUNTIME_MODULES: Final = frozenset({"boto3", "botocore"})
RUNTIME_ONLY_REASON: Final = (
    "imports only the standard library and boto3, which Lambda's python3.12 runtime provides "
    "(the runtime's version, not uv.lock's): no layer"
)

# Handlers that run on one architecture whatever the stack's lambdaArchitecture says, and why.
PINNED_ARCHITECTURES: Final[Mapping[Handler, Architecture]] = {"asset": "x86_64"}
PINNED_REASON: Final[Mapping[Handler, str]] = {
    "asset": "almeshopt (meshoptimizer 1.x, the LOD simplifier) publishes x86_64 wheels only: "
    "no aarch64 wheel and no sdist to compile",
}

# Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
UNZIPPED_LIMIT_BYTES: Final = 250 * 1024 * 1024  # function + all layers, unzipped
DIRECT_UPLOAD_LIMIT_BYTES: Final = 50 * 1024 * 1024  # zip uploaded in the API call
IMAGE_LIMIT_BYTES: Final = 10 * 1024 * 1024 * 1024  # uncompressed container image


def architectures_of(handler: Handler) -> tuple[Architecture, ...]:
    """The architectures `handler` can be built for."""
    pinned = PINNED_ARCHITECTURES.get(handler)
    return ARCHITECTURES if pinned is None else (pinned,)


def handler_architecture(handler: Handler, configured: Architecture) -> Architecture:
    """The architecture `handler` runs on: the stack's, unless the handler is pinned."""
    return PINNED_ARCHITECTURES.get(handler, configured)
