"""The running stack's `shop3d:` config, read through `pulumi.Config` and parsed once.

Only the declared keys are asked for: an undeclared `shop3d:` key never reaches the program,
because the engine refuses a stack that sets one (Pulumi.yaml declares every key; the offline
runner refuses it the same way, offline/runner.py `stack_config`).
"""

from __future__ import annotations

import pulumi

from stack_config.config import StackConfig, parse_config
from stack_config.keys import KEY_SPECS, NAMESPACE


def read_stack_config() -> dict[str, str]:
    """The values set for this stack (or defaulted by Pulumi.yaml), keys without the namespace."""
    config = pulumi.Config(NAMESPACE)
    values = {key: config.get(key) for key in KEY_SPECS}
    return {key: value for key, value in values.items() if value is not None}


def load_config() -> StackConfig:
    """Read the running stack's config from the engine and validate it."""
    return parse_config(read_stack_config())
