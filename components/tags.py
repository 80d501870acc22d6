"""Tags every resource gets through its provider's default_tags."""

from __future__ import annotations

import pulumi

# Tag whose value tells the policy pack and cost reports what a bucket is for.
PURPOSE_TAG = "shop3d:purpose"


def default_tags(environment: str) -> dict[str, str]:
    return {
        "project": "shop3d",
        "stack": pulumi.get_stack(),
        "environment": environment,
        "managed-by": "pulumi",
    }
