"""The asset pipeline's container image in this region's ECR: one image, two runners (the asset
Lambda when its artifact is an Image, and the AWS Batch job for large uploads).

How it is built: `pulumi_docker_build.Image` runs BuildKit on ci/lambda.Dockerfile with the
handler's own staged context (build/image-context/<handler>: pyproject.toml, uv.lock, the
handler's code; build args HANDLER and ENTRY_POINT from components/artifacts.lambda_artifact),
for the Lambda architecture's platform, and pushes it to a KMS-encrypted, scan-on-push,
immutable-tag repository here. The tag is the digest of that context and the Dockerfile, so an
edit elsewhere rebuilds nothing, and a rebuild always pushes under a new tag. Lambda and Batch reference the pushed image by digest (`Image.ref`).
"""

from __future__ import annotations

import json
from typing import Final

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

from components.artifacts import ContainerImage
from components.cell.context import CellContext

# Older images are only kept for rollback.
KEEP_IMAGES: Final = 10


def _lifecycle_policy() -> str:
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"keep the last {KEEP_IMAGES} images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": KEEP_IMAGES,
                    },
                    "action": {"type": "expire"},
                }
            ]
        }
    )


def asset_image(
    ctx: CellContext, image: ContainerImage
) -> tuple[aws.ecr.Repository, pulumi.Output[str]]:
    """The region's repository and the pushed image's digest reference."""
    repository = aws.ecr.Repository(
        ctx.name("asset", "repository"),
        name=ctx.physical(image.repository_name.removeprefix("shop3d-")),
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
            scan_on_push=True
        ),
        encryption_configurations=[
            aws.ecr.RepositoryEncryptionConfigurationArgs(
                encryption_type="KMS", kms_key=ctx.key_arn
            )
        ],
        force_delete=not ctx.config.deletion_protection,
        opts=ctx.stateful(),
    )
    aws.ecr.LifecyclePolicy(
        ctx.name("asset", "repository", "lifecycle"),
        repository=repository.name,
        policy=_lifecycle_policy(),
        opts=ctx.opts(),
    )
    token = aws.ecr.get_authorization_token_output(
        registry_id=repository.registry_id, opts=pulumi.InvokeOutputOptions(parent=ctx.parent)
    )
    built = docker_build.Image(
        ctx.name("asset", "image"),
        context=docker_build.BuildContextArgs(location=str(image.context)),
        dockerfile=docker_build.DockerfileArgs(location=str(image.dockerfile)),
        platforms=[docker_build.Platform(image.platform)],
        build_args=dict(image.build_args),
        push=True,
        # A preview needs no Docker engine: the image is built by `pulumi up` only.
        build_on_preview=False,
        tags=[pulumi.Output.concat(repository.repository_url, ":", image.tag)],
        registries=[
            docker_build.RegistryArgs(
                address=repository.repository_url,
                username=token.user_name,
                password=pulumi.Output.secret(token.password),
            )
        ],
        opts=ctx.opts(),
    )
    return repository, built.ref
