"""The render job's command: `python -m handlers.asset.posters <sku> <manifest key>`.

Exit status 0 posted or nothing to do, 1 the render failed (AWS Batch retries the job).
Environment: the catalog table, the assets bucket, SHOP3D_RENDER_COMPUTE (gpu|cpu).
"""

from __future__ import annotations

import json
import logging
import os
import sys

from handlers.asset.catalog import Catalog
from handlers.asset.posters.job import PosterJob
from handlers.asset.posters.render import PosterRenderFailed, compute_from_env
from handlers.shared import env


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m handlers.asset.posters <sku> <manifest key>", file=sys.stderr)
        return 2
    import boto3

    logging.basicConfig(level=logging.INFO)
    job = PosterJob(
        s3=boto3.client("s3"),
        catalog=Catalog(boto3.resource("dynamodb").Table(os.environ[env.CATALOG_TABLE])),
        assets_bucket=os.environ[env.ASSETS_BUCKET],
        compute=compute_from_env(),
    )
    try:
        outcome = job.run(argv[0], argv[1])
    except PosterRenderFailed as exc:
        print(f"poster render failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(outcome.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
