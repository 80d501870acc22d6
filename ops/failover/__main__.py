"""./shop3d failover <stack> --to <region> [--planned|--unplanned] [--dry-run]
[--outputs outputs.json]: see ops/failover/runbook.py for the steps."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ci.driver import DriverError
from ops.failover.runbook import (
    POLL_SECONDS,
    TIMEOUT_SECONDS,
    WRITER_REGION_KEY,
    Clients,
    FailoverError,
    Request,
    Runbook,
)
from ops.failover.targets import TargetsError, from_outputs, outputs_from_file
from preflight.account import aws_failure

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
OUTPUTS_HINT = (
    "or give the stack's outputs as a file: --outputs outputs.json (from"
    " `pulumi stack output --json --show-secrets` where the CLI is)"
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="./shop3d failover",
        description="Move the Aurora writer to a region and orders.<domain> with it.",
    )
    p.add_argument("stack")
    p.add_argument("--to", required=True, help="the region to hold the writer")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--planned",
        dest="mode",
        action="store_const",
        const="planned",
        help="switchover: both regions up, no data loss (the default)",
    )
    mode.add_argument(
        "--unplanned",
        dest="mode",
        action="store_const",
        const="unplanned",
        help="failover allowing data loss: the writer's region is down",
    )
    p.set_defaults(mode="planned")
    p.add_argument("--dry-run", action="store_true", help="print the steps, call nothing")
    p.add_argument(
        "--outputs",
        type=Path,
        help="stack outputs as JSON (pulumi stack output --json --show-secrets) instead of "
        "reading them through the Automation API",
    )
    p.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds (step 3)")
    p.add_argument("--poll", type=float, default=POLL_SECONDS, help="seconds between reads")
    return p


def _automation_stack(stack: str) -> Any:
    """The stack through the Automation API, which runs the pulumi CLI: a known stack and the
    CLI first (DriverError), so neither is a traceback from inside pulumi.automation."""
    from ci.driver import find_cli, stack_file

    stack_file(stack, REPO_ROOT)
    find_cli()
    from pulumi import automation as auto

    try:
        return auto.select_stack(stack, work_dir=str(REPO_ROOT))
    except auto.errors.CommandError as error:
        raise FailoverError(f"could not select stack {stack!r}: {error}") from None


def _persister(stack_handle: Any) -> Callable[[str], None]:
    def persist(region: str) -> None:
        from pulumi import automation as auto

        stack_handle.set_config(WRITER_REGION_KEY, auto.ConfigValue(value=region))

    return persist


def _clients(stack_handle: Any | None) -> Clients:
    import boto3

    return Clients(
        rds=lambda region: boto3.client("rds", region_name=region),
        # Route 53's control plane answers in us-east-1.
        route53=lambda: boto3.client("route53", region_name="us-east-1"),
        persist_writer=_persister(stack_handle) if stack_handle is not None else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.outputs is not None:
            outputs, handle = outputs_from_file(args.outputs), None
        else:
            handle = _automation_stack(args.stack)
            outputs = {k: v.value for k, v in handle.outputs().items()}
        targets = from_outputs(outputs)
        # In Request's field order: stack, to, mode, dry_run, poll_seconds, timeout_seconds.
        request = Request(args.stack, args.to, args.mode, args.dry_run, args.poll, args.timeout)
        Runbook(targets, _clients(handle)).run(request)
    except (TargetsError, FailoverError) as error:
        print(f"failover: {error}", file=sys.stderr)
        return 2 if isinstance(error, TargetsError) else 1
    except DriverError as error:
        print(f"failover: {error}; {OUTPUTS_HINT}", file=sys.stderr)
        return int(error.code)
    except (BotoCoreError, ClientError) as error:
        print(f"failover: {aws_failure(error)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
