"""A cell's Lambda functions: built by the shared builder (components/lambda_function.py) on the
cell's context, always with the cell's dead-letter queue for asynchronous invocations."""

from __future__ import annotations

import pulumi

from components.cell.context import CellContext
from components.lambda_function import FunctionSpec, HostedFunction, hosted_function

CellFunction = HostedFunction

__all__ = ["CellFunction", "FunctionSpec", "cell_function"]


def cell_function(
    ctx: CellContext,
    spec: FunctionSpec,
    dead_letter_arn: pulumi.Input[str],
    image_uri: pulumi.Input[str] | None = None,
) -> CellFunction:
    return hosted_function(ctx, spec, dead_letter_arn, image_uri)
