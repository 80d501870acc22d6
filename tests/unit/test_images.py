"""ContainerImages over the recorded graph: every image is built once, in the primary region;
ECR replication copies the stack's repositories to every other region, whose cells pull the
same digest from their own repository once it has arrived.

Shapes from AWS's ECR docs: PutReplicationConfiguration's rules (destinations of region and
registryId, repositoryFilters of filterType PREFIX_MATCH) and "Private image replication"
(a registry has one replication configuration per region; replication keeps the digest)."""

from __future__ import annotations

import json

import pytest

from components.images import repository_prefix
from offline.runner import ProgramRun, RecordedResource
from policy import tokens as t
from tests.unit.conftest import ProgramFactory

KINDS = ("asset", "render")


def images(run: ProgramRun) -> list[RecordedResource]:
    return run.of_type(t.DOCKER_IMAGE)


def registry_region(tag: str) -> str:
    """123456789012.dkr.ecr.<region>.amazonaws.com/<repo>:<tag> -> <region>."""
    return tag.split(".dkr.ecr.", 1)[1].split(".", 1)[0]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_image_is_built_once_in_the_primary_region(
    program: ProgramFactory, stack: str
) -> None:
    run = program(stack)
    primary = run.outputs["primaryRegion"]
    built = images(run)
    assert sorted(i.name for i in built) == sorted(
        f"images-{primary}-{kind}" for kind in ("asset-image", "asset-batch-image", "render-image")
    )
    for image in built:
        (tag,) = image.inputs["tags"]
        assert registry_region(tag) == primary and image.inputs["push"] is True


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_region_has_the_same_repositories_on_its_own_key(
    program: ProgramFactory, stack: str
) -> None:
    run = program(stack)
    repositories = run.of_type(t.ECR_REPOSITORY)
    names = {kind: f"shop3d-{stack}-{kind}" for kind in KINDS}
    for region in run.outputs["regions"]:
        key = run.outputs["keyArns"][region]
        for kind in KINDS:
            repository = run.named(f"images-{region}-{kind}-repository")
            assert repository.region == region and repository.inputs["name"] == names[kind]
            assert repository.inputs["imageTagMutability"] == "IMMUTABLE"
            assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
            assert repository.inputs["encryptionConfigurations"] == [
                {"encryptionType": "KMS", "kmsKey": key}
            ]
            assert repository.protect is (stack == "prod")
    assert len(repositories) == len(KINDS) * len(run.outputs["regions"])


def test_the_primary_registry_replicates_the_stacks_repositories_to_every_secondary(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    primary, *secondaries = run.outputs["regions"]
    (replication,) = run.of_type(t.ECR_REPLICATION)
    assert replication.region == primary
    (rule,) = replication.inputs["replicationConfiguration"]["rules"]
    assert rule["destinations"] == [
        {"region": region, "registryId": "123456789012"} for region in secondaries
    ]
    assert rule["repositoryFilters"] == [
        {"filter": repository_prefix("prod"), "filterType": "PREFIX_MATCH"}
    ]
    for repository in run.of_type(t.ECR_REPOSITORY):
        assert repository.inputs["name"].startswith(repository_prefix("prod"))
    # A push is replicated only when the rule and the destination repositories came first.
    secondary_repositories = {
        r.urn for r in run.of_type(t.ECR_REPOSITORY) if r.region in secondaries
    }
    for image in images(run):
        assert {replication.urn} | secondary_repositories <= set(image.dependencies)


def test_secondary_cells_pull_the_primarys_digest_from_their_own_repository(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    primary, *secondaries = run.outputs["regions"]

    def digest(ref: str) -> str:
        return ref.split("@", 1)[1]

    def pulled(region: str) -> dict[str, str]:
        asset = run.named(f"cell-{region}-asset").inputs["imageUri"]
        batch = json.loads(run.named(f"cell-{region}-batch-job").inputs["containerProperties"])
        render = json.loads(run.named(f"cell-{region}-render-job").inputs["containerProperties"])
        return {"asset": asset, "batch": batch["image"], "render": render["image"]}

    at_primary = pulled(primary)
    for region in secondaries:
        refs = pulled(region)
        for role, ref in refs.items():
            repository = "render" if role == "render" else "asset"
            assert ref.startswith(f"123456789012.dkr.ecr.{region}.amazonaws.com/shop3d-prod-")
            assert ref.split("@")[0].endswith(f"/shop3d-prod-{repository}")
            assert digest(ref) == digest(at_primary[role])
        # The function is created only once the replica is there (Lambda refuses a missing
        # image), through the ReplicatedImage it takes its reference from.
        (replica,) = [
            r
            for r in run.of_type(t.DYNAMIC_RESOURCE)
            if r.name == f"images-{region}-asset-image-replica"
        ]
        assert replica.inputs["region"] == region
        assert replica.urn in run.named(f"cell-{region}-asset").dependencies


def test_the_batch_image_is_the_lambda_image_with_its_entry_point_reset(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    primary = run.outputs["primaryRegion"]
    lambda_image = run.named(f"cell-{primary}-asset").inputs["imageUri"]
    batch = run.named(f"images-{primary}-asset-batch-image").inputs
    assert batch["dockerfile"]["inline"] == f"FROM {lambda_image}\nENTRYPOINT []\n"
    (lambda_tag,) = run.named(f"images-{primary}-asset-image").inputs["tags"]
    assert batch["tags"] == [f"{lambda_tag}-batch"]


def test_an_existing_replication_configuration_is_left_to_its_owner(
    program: ProgramFactory,
) -> None:
    run = program("prod", {"ecrReplication": "existing"})
    assert run.of_type(t.ECR_REPLICATION) == []
    secondaries = run.outputs["regions"][1:]
    replicas = {r.name for r in run.of_type(t.DYNAMIC_RESOURCE)}
    assert {f"images-{r}-render-image-replica" for r in secondaries} <= replicas


def test_a_single_region_stack_replicates_nothing(program: ProgramFactory) -> None:
    run = program("dev", {"regions": ["eu-west-1"]})
    assert run.of_type(t.ECR_REPLICATION) == []
    assert run.of_type(t.DYNAMIC_RESOURCE) == []
    assert len(images(run)) == 3
