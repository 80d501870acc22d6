"""The stack's container images (`shop3d:images:ContainerImages`): each built ONCE, in the
primary region, and copied to every other region of the stack by ECR replication.

Three images: the asset Lambda's (ci/lambda.Dockerfile on the asset handler's staged context),
the asset Batch job's (that image with its entry point reset: Lambda's base image starts the
runtime interface client, which cannot run a command) and the poster render job's
(handlers/asset/posters/Dockerfile on its staged context). Each tag is the digest of exactly
its context and Dockerfile (components/artifacts.py), so an edit elsewhere builds nothing and a
changed context pushes under a new tag: the IMMUTABLE repositories never see a second push
under an existing tag.

Every region has the same repositories (same names, its own KMS key, immutable tags, scan on
push): created here before replication writes into them, so ECR does not create them with its
defaults. The primary registry's replication configuration copies the stack's repositories
(prefix `shop3d-<stack>-`) to every secondary; replication keeps the digest, so a cell pulls
`<its region's repository>@<digest>`, the primary's image, once `ReplicatedImage` has seen it
arrive (components/images/replica.py).

A registry has one replication configuration per account and region (PutReplicationConfiguration
replaces all of it): `shop3d:ecrReplication` manage (this stack owns it) or existing (another
stack or the account's owner does; it must copy this stack's prefix to this stack's regions,
which `./shop3d preflight` checks).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

from components.artifacts import ContainerImage, lambda_artifact, render_image
from components.images.replica import ReplicatedImage
from components.interfaces import RegionImages
from components.naming import physical, regional
from components.options import child, stateful
from lambda_packaging.targets import handler_architecture
from stack_config.config import StackConfig

# Older images are only kept for rollback.
KEEP_IMAGES: Final = 10
# ECR's repository filter type for a name prefix (PutReplicationConfiguration).
PREFIX_MATCH: Final = "PREFIX_MATCH"
BATCH_SUFFIX: Final = "-batch"


def repository_prefix(stack: str) -> str:
    """The prefix every repository of the stack shares: what replication copies."""
    return f"shop3d-{stack}-"


def lifecycle_policy() -> str:
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


def asset_container_image(config: StackConfig) -> ContainerImage:
    """The asset handler's image: the Batch route needs it whatever the Lambda ships as."""
    artifact = lambda_artifact("asset", handler_architecture("asset", config.lambda_architecture))
    if artifact.image is None:
        raise ValueError(
            "the asset artifact has no container image; the Batch route needs one: "
            "see components/artifacts.py"
        )
    return artifact.image


@dataclass(frozen=True)
class ContainerImagesArgs:
    config: StackConfig
    providers: Mapping[str, aws.Provider]
    # Each region's KMS key (GlobalData.key_arns): the repositories encrypt with it.
    key_arns: Mapping[str, pulumi.Input[str]]


class ContainerImages(pulumi.ComponentResource):
    """`regions[region]`: the images as that region's cell pulls them."""

    regions: dict[str, RegionImages]
    replication: aws.ecr.ReplicationConfiguration | None

    def __init__(
        self, name: str, args: ContainerImagesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("shop3d:images:ContainerImages", name, None, opts)
        self._args = args
        config = args.config
        primary = config.primary.name
        asset, render = asset_container_image(config), render_image()
        repositories = {
            region: {kind: self._repository(region, kind) for kind in ("asset", "render")}
            for region in config.region_names
        }
        self.repositories = repositories
        self.replication = self._replication(repositories[primary]["asset"])
        built_asset = self._push(primary, "asset-image", repositories[primary]["asset"], asset)
        built_batch = self._push_batch(primary, repositories[primary]["asset"], asset, built_asset)
        built_render = self._push(primary, "render-image", repositories[primary]["render"], render)
        self.regions = {
            primary: RegionImages(
                asset=built_asset.ref, asset_batch=built_batch.ref, render=built_render.ref
            )
        }
        for secondary in config.secondaries:
            region = secondary.name
            own = repositories[region]
            self.regions[region] = RegionImages(
                asset=self._replica(region, "asset-image", own["asset"], built_asset),
                asset_batch=self._replica(region, "asset-batch-image", own["asset"], built_batch),
                render=self._replica(region, "render-image", own["render"], built_render),
            )
        self.register_outputs(
            {
                "refs": {
                    region: {"asset": i.asset, "assetBatch": i.asset_batch, "render": i.render}
                    for region, i in self.regions.items()
                }
            }
        )

    def _opts(
        self, region: str, depends_on: list[pulumi.Resource] | None = None
    ) -> pulumi.ResourceOptions:
        return child(self, provider=self._args.providers.get(region), depends_on=depends_on)

    def _repository(self, region: str, kind: str) -> aws.ecr.Repository:
        config = self._args.config
        repository = aws.ecr.Repository(
            regional("images", region, kind, "repository"),
            name=physical(kind),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                scan_on_push=True
            ),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=self._args.key_arns[region]
                )
            ],
            force_delete=not config.deletion_protection,
            opts=stateful(
                self, config.deletion_protection, provider=self._args.providers.get(region)
            ),
        )
        aws.ecr.LifecyclePolicy(
            regional("images", region, kind, "repository", "lifecycle"),
            repository=repository.name,
            policy=lifecycle_policy(),
            opts=self._opts(region),
        )
        return repository

    def _replication(
        self, primary_repository: aws.ecr.Repository
    ) -> aws.ecr.ReplicationConfiguration | None:
        config = self._args.config
        if not config.secondaries or config.ecr_replication != "manage":
            return None
        return aws.ecr.ReplicationConfiguration(
            regional("images", config.primary.name, "replication"),
            replication_configuration=aws.ecr.ReplicationConfigurationReplicationConfigurationArgs(
                rules=[
                    aws.ecr.ReplicationConfigurationReplicationConfigurationRuleArgs(
                        destinations=[
                            aws.ecr.ReplicationConfigurationReplicationConfigurationRuleDestinationArgs(
                                region=region.name, registry_id=primary_repository.registry_id
                            )
                            for region in config.secondaries
                        ],
                        repository_filters=[
                            aws.ecr.ReplicationConfigurationReplicationConfigurationRuleRepositoryFilterArgs(
                                filter=repository_prefix(pulumi.get_stack()),
                                filter_type=PREFIX_MATCH,
                            )
                        ],
                    )
                ]
            ),
            opts=self._opts(config.primary.name),
        )

    def _destinations_ready(self) -> list[pulumi.Resource]:
        """What a push waits for: every secondary's repositories and the replication rule, so
        the push is copied (replication copies pushes made after the rule, not earlier ones)."""
        ready: list[pulumi.Resource] = [
            repository
            for region in self._args.config.secondaries
            for repository in self.repositories[region.name].values()
        ]
        if self.replication is not None:
            ready.append(self.replication)
        return ready

    def _push(
        self,
        region: str,
        kind: str,
        repository: aws.ecr.Repository,
        image: ContainerImage,
        dockerfile: docker_build.DockerfileArgs | None = None,
        tag: str | None = None,
        context: str | None = None,
    ) -> docker_build.Image:
        """Build and push to the primary's repository (registry auth from ECR)."""
        token = aws.ecr.get_authorization_token_output(
            registry_id=repository.registry_id,
            opts=pulumi.InvokeOutputOptions(parent=self, provider=self._args.providers.get(region)),
        )
        return docker_build.Image(
            regional("images", region, kind),
            context=docker_build.BuildContextArgs(location=context or str(image.context)),
            dockerfile=dockerfile or docker_build.DockerfileArgs(location=str(image.dockerfile)),
            platforms=[docker_build.Platform(image.platform)],
            build_args=dict(image.build_args) or None,
            push=True,
            # A preview needs no Docker engine: the image is built by `pulumi up` only.
            build_on_preview=False,
            tags=[pulumi.Output.concat(repository.repository_url, ":", tag or image.tag)],
            registries=[
                docker_build.RegistryArgs(
                    address=repository.repository_url,
                    username=token.user_name,
                    password=pulumi.Output.secret(token.password),
                )
            ],
            opts=self._opts(region, depends_on=self._destinations_ready()),
        )

    def _push_batch(
        self,
        region: str,
        repository: aws.ecr.Repository,
        image: ContainerImage,
        lambda_image: docker_build.Image,
    ) -> docker_build.Image:
        return self._push(
            region,
            "asset-batch-image",
            repository,
            image,
            dockerfile=docker_build.DockerfileArgs(
                inline=lambda_image.ref.apply(lambda ref: f"FROM {ref}\nENTRYPOINT []\n")
            ),
            tag=image.tag + BATCH_SUFFIX,
            # The inline Dockerfile copies nothing: a small folder keeps the uploaded context tiny.
            context=str(image.dockerfile.parent),
        )

    def _replica(
        self,
        region: str,
        kind: str,
        repository: aws.ecr.Repository,
        built: docker_build.Image,
    ) -> pulumi.Output[str]:
        replicated = ReplicatedImage(
            regional("images", region, kind, "replica"),
            region=region,
            repository=repository.name,
            registry_id=repository.registry_id,
            repository_url=repository.repository_url,
            digest=built.digest,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[repository, built]),
        )
        return replicated.ref
