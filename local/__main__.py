"""`./shop3d local`: run the shop3d platform on this machine (see local/platform.py).

Prints start-up progress, then the URL; Ctrl-C (or SIGTERM) stops everything cleanly.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from local.cart_pool import DEFAULT_WORKERS, MAX_WORKERS
from local.catalog_file import DEFAULT_CATALOG, CatalogFileError
from local.platform import DEFAULT_PORT, Platform, PlatformError, PlatformOptions
from local.progress import Progress
from local.servers import LOOPBACK, ServerNotInstalledError, ServerStartError
from local.state import DEFAULT_STATE_DIR

HEALTH_CHECK_INTERVAL_S = 1.0


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 to {MAX_WORKERS} worker processes")
    return int(text)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535; 0: any free)")
    return port


def parse_args(argv: list[str]) -> PlatformOptions:
    parser = argparse.ArgumentParser(
        prog="./shop3d local", description="Run shop3d on this machine against real local servers."
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"site port on {LOOPBACK} (default {DEFAULT_PORT}; 0: any free port)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="where data is kept between runs (default: .local/platform)",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=DEFAULT_CATALOG,
        help="the sample catalog file (default: local/catalog.json)",
    )
    parser.add_argument("--log-requests", action="store_true", help="log every HTTP request")
    parser.add_argument(
        "--cart-workers",
        type=_workers,
        default=DEFAULT_WORKERS,
        help=f"cart handler processes, like Lambda containers (default {DEFAULT_WORKERS})",
    )
    args = parser.parse_args(argv)
    return PlatformOptions(
        state_dir=args.state_dir,
        catalog=args.catalog,
        port=args.port,
        log_requests=args.log_requests,
        cart_workers=args.cart_workers,
    )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops as cleanly as Ctrl-C


def main(argv: list[str]) -> int:
    options = parse_args(argv)
    # Ctrl-C even when started in the background (a shell then starts us with SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    progress = Progress()
    platform = Platform(options, progress)
    try:
        platform.start()
        progress.line(f"shop3d is running at {platform.url} (Ctrl-C to stop)")
        idle = threading.Event()
        while not idle.wait(HEALTH_CHECK_INTERVAL_S):
            platform.check()
    except KeyboardInterrupt:
        progress.line("stopping ...")
        platform.stop()
        progress.line("stopped")
        return 0
    except (CatalogFileError, PlatformError, ServerStartError, ServerNotInstalledError) as error:
        platform.stop()
        print(f"shop3d local: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
