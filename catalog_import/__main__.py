"""./shop3d catalog import <file.csv|json> (--stack <stack> | --local) [--api-url URL]

The token is an admin's (or a seller's, for its own products) Cognito access token, from
SHOP3D_ADMIN_TOKEN. With --stack the API URL is https://<shop3d:domain> of that stack's config
(Pulumi.<stack>.yaml) unless --api-url names it; --local uses the running local platform's
URL (printed when it starts) given as --api-url. Exit status 1 when any row was rejected."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

from catalog_import.client import AdminApi, http_transport
from catalog_import.run import import_file

TOKEN_VARIABLE = "SHOP3D_ADMIN_TOKEN"  # noqa: S105 - a variable name
ROOT = Path(__file__).resolve().parent.parent


def stack_api_url(stack: str) -> str:
    config = ROOT / f"Pulumi.{stack}.yaml"
    if not config.is_file():
        raise SystemExit(f"no stack {stack!r}: {config.name} does not exist")
    values = (yaml.safe_load(config.read_text()) or {}).get("config", {})
    domain = values.get("shop3d:domain")
    if not domain:
        raise SystemExit(
            f"stack {stack!r} has no shop3d:domain: pass --api-url (the CloudFront URL)"
        )
    return f"https://{domain}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shop3d catalog import")
    parser.add_argument("file", type=Path)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack")
    where.add_argument("--local", action="store_true")
    parser.add_argument("--api-url")
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        parser.error(f"set {TOKEN_VARIABLE} to an admin's or seller's access token")
    if args.local and not args.api_url:
        parser.error("--local needs --api-url: the URL the local platform printed")
    url = args.api_url or stack_api_url(args.stack)
    report = import_file(args.file, AdminApi(http_transport(url, token)), print)
    for line in report.lines():
        print(line)
    return 1 if report.rejected else 0


if __name__ == "__main__":
    sys.exit(main())
