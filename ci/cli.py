"""Command line of the ci package: build-artifacts, preview, up, drift, destroy."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from components.artifacts import ARCHITECTURES, HANDLERS, ArtifactError


def _build_artifacts(args: argparse.Namespace) -> int:
    from ci.build_artifacts import build

    handlers = HANDLERS if args.handler == "all" else (args.handler,)
    architectures = ARCHITECTURES if args.arch == "all" else (args.arch,)
    for result in build(handlers, architectures):
        print(result.summary())
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m ci", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build-artifacts", help="build the handlers' dependency layers from uv.lock"
    )
    build.add_argument("--handler", choices=[*HANDLERS, "all"], default="all")
    build.add_argument("--arch", choices=[*ARCHITECTURES, "all"], default="all")
    build.set_defaults(run=_build_artifacts)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except ArtifactError as error:
        print(f"error: {error}")
        return 2
    return code
