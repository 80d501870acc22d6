"""ReplicatedImage's wait, against moto's ECR server: it returns once the region's repository
holds the digest, and fails with what to check when the digest never arrives. (moto does not
replicate between regions, so the "replica" is pushed there directly; DescribeImages is the
call the wait makes, shape from ECR's API reference.)"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from components.images.replica import ReplicaNotFound, replica_ref, wait_for_replica

REGION = "eu-west-1"


@pytest.fixture
def ecr(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    yield boto3.client(
        "ecr",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _manifest() -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": f"sha256:{uuid.uuid4().hex * 2}", "size": 1},
            "layers": [],
        }
    )


class Clock:
    """Time that moves only when the wait sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def test_the_wait_returns_once_the_digest_is_in_the_regions_repository(ecr: Any) -> None:
    name = f"shop3d-test-{uuid.uuid4().hex[:8]}"
    repository = ecr.create_repository(repositoryName=name)["repository"]
    manifest = _manifest()
    pushed = ecr.put_image(repositoryName=name, imageManifest=manifest, imageTag="x86_64-abc")
    digest = pushed["image"]["imageId"]["imageDigest"]
    clock = Clock()
    wait_for_replica(ecr, name, repository["registryId"], digest, sleep=clock.sleep, clock=clock)
    assert clock.sleeps == []
    assert (
        replica_ref(repository["repositoryUri"], digest)
        == f"{repository['repositoryUri']}@{digest}"
    )


def test_a_digest_that_never_arrives_fails_the_deploy_with_what_to_check(ecr: Any) -> None:
    name = f"shop3d-test-{uuid.uuid4().hex[:8]}"
    repository = ecr.create_repository(repositoryName=name)["repository"]
    missing = "sha256:" + "0" * 64
    clock = Clock()
    with pytest.raises(ReplicaNotFound) as failed:
        wait_for_replica(
            ecr,
            name,
            repository["registryId"],
            missing,
            timeout_seconds=60,
            poll_seconds=10,
            sleep=clock.sleep,
            clock=clock,
        )
    assert clock.sleeps == [10.0] * 6
    message = str(failed.value)
    assert missing in message and REGION in message and "describe-registry" in message
