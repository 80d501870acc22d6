"""Wait until ECR replication has copied an image into another region's repository.

ECR replicates asynchronously after the push (usually within seconds, sometimes minutes), and
Lambda's CreateFunction refuses an image URI its region's registry does not hold yet. So a
secondary region's image reference is the output of a `ReplicatedImage`: a Pulumi dynamic
resource whose create polls that region's DescribeImages for the digest until it is there (or
fails the deploy with what to check). Replication keeps the digest (same manifest), so the
reference is `<region's repository URL>@<digest>`, the same image as the primary's.

The dynamic provider runs in the engine's Python provider process with boto3's default
credential chain (the same environment or profile `pulumi up` runs with)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

import pulumi
import pulumi.dynamic

# Replication is asynchronous with no documented bound: half an hour before the deploy fails
# with what to check (a copy normally lands within seconds of the push).
REPLICATION_TIMEOUT_SECONDS: Final = 30 * 60
POLL_SECONDS: Final = 10


class ReplicaNotFound(RuntimeError):
    """The digest did not reach the region's repository in time."""


def _present(client: Any, repository: str, registry_id: str, digest: str) -> bool:
    try:
        found = client.describe_images(
            registryId=registry_id, repositoryName=repository, imageIds=[{"imageDigest": digest}]
        )
    except client.exceptions.ImageNotFoundException:
        return False
    return bool(found.get("imageDetails"))


def wait_for_replica(
    client: Any,
    repository: str,
    registry_id: str,
    digest: str,
    *,
    timeout_seconds: float = REPLICATION_TIMEOUT_SECONDS,
    poll_seconds: float = POLL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Return once `repository` holds `digest`; ReplicaNotFound after `timeout_seconds`."""
    deadline = clock() + timeout_seconds
    while not _present(client, repository, registry_id, digest):
        if clock() >= deadline:
            raise ReplicaNotFound(
                f"{digest} has not reached {repository} in {client.meta.region_name} after "
                f"{timeout_seconds:.0f} s: check the primary registry's replication "
                "configuration covers this repository and region (`aws ecr describe-registry`), "
                "and `aws ecr describe-image-replication-status` for the image"
            )
        sleep(poll_seconds)


def replica_ref(repository_url: str, digest: str) -> str:
    return f"{repository_url}@{digest}"


class _ReplicaProvider(pulumi.dynamic.ResourceProvider):
    """create waits for the replica; any input change replaces (a new digest is a new image)."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        import boto3  # in the provider process only

        client = boto3.client("ecr", region_name=props["region"])
        wait_for_replica(client, props["repository"], props["registry_id"], props["digest"])
        ref = replica_ref(props["repository_url"], props["digest"])
        return pulumi.dynamic.CreateResult(id_=ref, outs={**props, "ref": ref})

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        keys = ("region", "repository", "registry_id", "repository_url", "digest")
        changed = [k for k in keys if olds.get(k) != news.get(k)]
        return pulumi.dynamic.DiffResult(
            changes=bool(changed), replaces=changed, delete_before_replace=False
        )


class ReplicatedImage(pulumi.dynamic.Resource):
    """`ref`: the image `digest` in `repository_url` of `region`, once replication put it there."""

    ref: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        region: str,
        repository: pulumi.Input[str],
        registry_id: pulumi.Input[str],
        repository_url: pulumi.Input[str],
        digest: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            _ReplicaProvider(),
            name,
            {
                "region": region,
                "repository": repository,
                "registry_id": registry_id,
                "repository_url": repository_url,
                "digest": digest,
                "ref": None,
            },
            opts,
        )
