"""`./shop3d preflight <stack>`: print each check with pass/fail and its fix; exit 1 when one
blocks the first deploy (credentials and region endpoints: the standard AWS variables)."""

from __future__ import annotations

import sys

from offline.runner import stack_config
from preflight.account import AwsAccount
from preflight.checks import Account, Check, report, run_checks
from stack_config.config import ConfigError, StackConfig, parse_config
from stack_config.keys import qualified


def parsed_stack(stack: str) -> StackConfig:
    """A stack's config file (Pulumi.<stack>.yaml with Pulumi.yaml's defaults), parsed."""
    prefix = qualified("")
    raw = {k[len(prefix) :]: v for k, v in stack_config(stack).items() if k.startswith(prefix)}
    return parse_config(raw)


def stack_checks(stack: str, account: Account) -> list[Check]:
    """The checks of a stack's config file."""
    return run_checks(account, parsed_stack(stack), stack)


def preflight_checks(stack: str, account: AwsAccount) -> list[Check]:
    """The credentials, then (if there are any) every check of the stack. Without credentials
    every other check could only be unreadable (a warning): one blocker says so instead."""
    config = parsed_stack(stack)  # first: a wrong stack name needs no AWS to say so
    credentials = account.credentials()
    if not credentials.passed:
        return [credentials]
    return [credentials, *run_checks(account, config, stack)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: ./shop3d preflight <stack>", file=sys.stderr)
        return 2
    try:
        checks = preflight_checks(argv[0], AwsAccount())
    except (ConfigError, FileNotFoundError, ValueError) as error:
        print(f"preflight: {error}", file=sys.stderr)
        return 1
    print(report(checks))
    return 1 if any(c.blocks for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
