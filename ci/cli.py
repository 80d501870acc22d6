"""Command line of the ci package: build-artifacts, preview, up, drift, destroy."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ci.pinned_tools import PinnedToolMissing
from lambda_packaging.errors import ArtifactError
from lambda_packaging.targets import ARCHITECTURES, HANDLERS


def _build_artifacts(args: argparse.Namespace) -> int:
    from ci.build_artifacts import build

    handlers = HANDLERS if args.handler == "all" else (args.handler,)
    architectures = ARCHITECTURES if args.arch == "all" else (args.arch,)
    for result in build(handlers, architectures):
        print(result.summary())
    from ci import artifacts_docs

    artifacts_docs.write()
    print(f"wrote the artifacts table of docs/{artifacts_docs.BLOCK.page.name}")
    return 0


def _stack_operation(args: argparse.Namespace) -> int:
    from ci.driver import default_driver, run

    return run(
        args.driver or default_driver(),
        args.command,
        args.stack,
        report=getattr(args, "report", None),
        yes_destroy_prod=getattr(args, "yes_destroy_prod", False),
        local_backend=args.local_backend,
        backend_url=args.backend_url,
    )


def _add_stack_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    from ci.driver import LOCAL_BACKEND_DIR

    command = commands.add_parser(name, help=help_text)
    command.add_argument("--stack", required=True, help="dev, prod, ... (a Pulumi.<stack>.yaml)")
    command.add_argument(
        "--local-backend",
        nargs="?",
        type=Path,
        const=LOCAL_BACKEND_DIR,
        default=None,
        metavar="DIR",
        help=f"use a local file backend (default dir {LOCAL_BACKEND_DIR})",
    )
    command.add_argument("--backend-url", help="any Pulumi backend URL (s3://..., file://...)")
    command.set_defaults(run=_stack_operation, driver=None)
    return command


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m ci", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build-artifacts", help="build the handlers' dependency layers from uv.lock"
    )
    build.add_argument("--handler", choices=[*HANDLERS, "all"], default="all")
    build.add_argument("--arch", choices=[*ARCHITECTURES, "all"], default="all")
    build.set_defaults(run=_build_artifacts)
    _add_stack_command(commands, "preview", "preview with the policy pack attached")
    _add_stack_command(commands, "up", "deploy with the policy pack attached")
    drift = _add_stack_command(
        commands, "drift", "refresh preview expecting no changes: exit 0 clean, 2 drift, 1 error"
    )
    drift.add_argument("--report", type=Path, help="JSON report path (default drift-<stack>.json)")
    destroy = _add_stack_command(commands, "destroy", "destroy the stack (prod needs a flag)")
    destroy.add_argument(
        "--yes-destroy-prod", action="store_true", help="required to destroy a production stack"
    )
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (ArtifactError, PinnedToolMissing) as error:
        print(f"error: {error}")
        return 2
    return code
