"""Lambda code signing over the recorded graph (dev, prod, a single-region stack): every Zip
function runs under its own region's code-signing configuration (the stack's profile, Enforce);
every Zip function and layer deploys from the object a signing job wrote, signing the artifact
uploaded in the same region; identical code gives identical keys and jobs; the bucket holding
the code passes every bucket rule."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from components import artifacts
from components.artifacts import lambda_artifact
from components.code_signing import (
    SIGNING_PLATFORM,
    UNTRUSTED_ARTIFACT_ON_DEPLOYMENT,
    first_signed_key,
    hex_digest,
    profile_name_prefix,
    signed_prefix,
    unsigned_key,
)
from handlers.shared import storage
from lambda_packaging.targets import Handler
from offline.runner import ProgramRun, RecordedResource
from policy import tokens as t
from policy.evaluate import evaluate
from policy.exemptions import from_stack_config
from tests.policy.replay import to_stack
from tests.unit.conftest import ProgramFactory

FUNCTION = t.FUNCTION
LAYER = t.LAYER_VERSION
CONFIG = t.CODE_SIGNING_CONFIG
PROFILE = t.SIGNING_PROFILE
JOB = t.SIGNING_JOB
UPLOAD = t.BUCKET_OBJECT
BUCKET = t.BUCKET
POLICY = t.BUCKET_POLICY
ROOT = Path(__file__).resolve().parents[2]
SINGLE_REGION = {"regions": ["eu-west-1"]}
STACKS = [("dev", None), ("prod", None), ("dev", SINGLE_REGION)]
IDS = ["dev", "prod", "single-region"]


@pytest.fixture(autouse=True)
def as_under_mocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests look artifacts up as the program did under the mock runtime: a layer's zip
    need not be built (a fresh clone has only the build record), without touching Pulumi's
    process-wide settings."""
    monkeypatch.setattr(artifacts, "builds_optional", lambda: True)


def depended_on(run: ProgramRun, resource: RecordedResource, type_: str) -> RecordedResource:
    """The one resource of `type_` that `resource` depends on (its inputs read its outputs)."""
    urns = set(resource.dependencies)
    (found,) = [r for r in run.of_type(type_) if r.urn in urns]
    return found


def code_uploads(run: ProgramRun) -> list[RecordedResource]:
    """The uploaded Lambda zips (the storefront's files are bucket objects too)."""
    return [
        o for o in run.of_type(UPLOAD) if o.inputs["key"].startswith(storage.LAMBDA_UNSIGNED_PREFIX)
    ]


def zip_functions(run: ProgramRun) -> list[RecordedResource]:
    return [f for f in run.of_type(FUNCTION) if f.inputs.get("packageType") == "Zip"]


def signed_by(
    run: ProgramRun, deployed: RecordedResource
) -> tuple[RecordedResource, RecordedResource]:
    """The signing job whose output `deployed` (a function or layer) deploys, and the upload
    that job signed; both checked to be in the deployed resource's region and bucket."""
    job = depended_on(run, deployed, JOB)
    upload = depended_on(run, job, UPLOAD)
    source, destination = job.inputs["source"]["s3"], job.inputs["destination"]["s3"]
    assert job.region == upload.region == deployed.region
    assert deployed.inputs["s3Bucket"] == destination["bucket"] == source["bucket"]
    assert upload.inputs["bucket"] == source["bucket"] and upload.inputs["key"] == source["key"]
    assert source["version"], f"{job.name}: Signer signs an object version; none given"
    key = deployed.inputs["s3Key"]
    assert key.startswith(destination["prefix"]) and key.endswith(".zip"), key
    assert destination["prefix"].startswith(storage.LAMBDA_SIGNED_PREFIX)
    assert upload.inputs["key"].startswith(storage.LAMBDA_UNSIGNED_PREFIX)
    assert "code" not in deployed.inputs, f"{deployed.name} also ships unsigned code"
    return job, upload


@pytest.mark.parametrize(("stack", "overrides"), STACKS, ids=IDS)
def test_every_zip_function_runs_under_its_regions_config_with_enforce(
    program: ProgramFactory, stack: str, overrides: dict[str, Any] | None
) -> None:
    run = program(stack, overrides)
    regions = run.outputs["regions"]
    functions = zip_functions(run)
    # A cart in every region (and notifications where a domain is set), the primary's
    # cart-schema and order-jobs, and the identity trigger.
    notifications = [f for f in functions if "notifications" in f.name]
    assert len(notifications) in (0, len(regions))
    assert len(functions) == len(regions) + len(notifications) + 3
    prefixes = set()
    for function in functions:
        config = depended_on(run, function, CONFIG)
        assert config.region == function.region
        assert function.inputs["codeSigningConfigArn"].startswith(
            f"arn:aws:lambda:{function.region}:"
        )
        assert config.inputs["policies"] == {
            "untrustedArtifactOnDeployment": UNTRUSTED_ARTIFACT_ON_DEPLOYMENT
        }
        assert UNTRUSTED_ARTIFACT_ON_DEPLOYMENT == "Enforce"
        profile = depended_on(run, config, PROFILE)
        assert profile.region == function.region
        assert profile.inputs["platformId"] == SIGNING_PLATFORM == "AWSLambda-SHA384-ECDSA"
        assert profile.inputs["signatureValidityPeriod"]["type"] == "MONTHS"
        (allowed,) = config.inputs["allowedPublishers"]["signingProfileVersionArns"]
        assert allowed.startswith(f"arn:aws:signer:{function.region}:")
        assert f"/signing-profiles/{profile.inputs['namePrefix']}" in allowed
        prefixes.add(profile.inputs["namePrefix"])
    # One profile for the stack, one regional instance of it per region.
    assert prefixes == {profile_name_prefix(stack)}
    assert sorted(str(p.region) for p in run.of_type(PROFILE)) == sorted(regions)
    assert sorted(str(c.region) for c in run.of_type(CONFIG)) == sorted(regions)


@pytest.mark.parametrize(("stack", "overrides"), STACKS, ids=IDS)
def test_zip_functions_and_layers_deploy_from_objects_signed_in_their_region(
    program: ProgramFactory, stack: str, overrides: dict[str, Any] | None
) -> None:
    run = program(stack, overrides)
    for function in zip_functions(run):
        _, upload = signed_by(run, function)
        handler: Handler = "identity" if function.name.startswith("identity-") else "cart"
        artifact = lambda_artifact(handler, "arm64")
        assert upload.inputs["key"] == unsigned_key(f"{handler}-code", artifact.sha256)
        # The file uploaded is the artifact's zip, byte for byte (hashed here again).
        uploaded = Path(upload.inputs["source"].path).read_bytes()
        assert hashlib.sha256(uploaded).hexdigest() == hex_digest(artifact.sha256)
        assert function.inputs["s3Key"].startswith(signed_prefix(f"{handler}-code"))
        # Every layer the function names is a signed layer of the same region.
        layer_urns = set(function.dependencies)
        layers = [r for r in run.of_type(LAYER) if r.urn in layer_urns]
        assert len(layers) == len(artifact.layers) == len(function.inputs["layers"])
    layers = run.of_type(LAYER)
    assert layers, "no dependency layer: the cart ships one"
    for layer in layers:
        _, upload = signed_by(run, layer)
        (layer_artifact,) = lambda_artifact("cart", "arm64").layers
        assert upload.inputs["key"] == unsigned_key(layer_artifact.name, layer_artifact.sha256)


@pytest.mark.parametrize(("stack", "overrides"), STACKS, ids=IDS)
def test_each_zip_is_uploaded_and_signed_once_per_region(
    program: ProgramFactory, stack: str, overrides: dict[str, Any] | None
) -> None:
    run = program(stack, overrides)
    uploads = [(u.region, u.inputs["key"]) for u in code_uploads(run)]
    assert len(uploads) == len(set(uploads)) == len(run.of_type(JOB))
    primary = run.outputs["primaryRegion"]
    cart, schema = (run.named(f"cell-{primary}-{role}") for role in ("cart", "cart-schema"))
    # cart-schema ships the cart's zip and layer: the same signed objects, not a second copy.
    assert cart.inputs["s3Key"] == schema.inputs["s3Key"]
    assert signed_by(run, cart)[0].urn == signed_by(run, schema)[0].urn
    assert cart.inputs["layers"] and cart.inputs["layers"] == schema.inputs["layers"]
    # One layer version per region and layer, whichever functions name it.
    published = [(layer.region, layer.inputs["layerName"]) for layer in run.of_type(LAYER)]
    assert len(published) == len(set(published))


def test_image_functions_are_left_to_the_image_path(program: ProgramFactory) -> None:
    images = [
        f for f in program("prod").of_type(FUNCTION) if f.inputs.get("packageType") == "Image"
    ]
    assert images, "the asset function ships as an image"
    for function in images:
        assert "codeSigningConfigArn" not in function.inputs and "s3Key" not in function.inputs


def test_unchanged_code_gives_the_same_uploads_jobs_and_keys(program: ProgramFactory) -> None:
    def signing(run: ProgramRun) -> dict[str, Any]:
        # An uploaded file compares by its path (the key already names its content).
        return {
            r.name: {
                k: getattr(r.inputs.get(k), "path", r.inputs.get(k))
                for k in (
                    "key",
                    "source",
                    "destination",
                    "s3Key",
                    "s3Bucket",
                    "codeSigningConfigArn",
                )
            }
            for r in (
                *code_uploads(run),
                *run.of_type(JOB),
                *zip_functions(run),
                *run.of_type(LAYER),
            )
        }

    # Two separate runs of the program (the second without a web tier: no code changes).
    first, second = signing(program("dev")), signing(program("dev", {"webTier": False}))
    assert first and first == second


def test_changed_code_gets_a_new_key_so_a_new_upload_and_job() -> None:
    artifact = lambda_artifact("cart", "arm64")
    assert unsigned_key("cart-code", artifact.sha256).endswith(
        f"/cart-code/{hex_digest(artifact.sha256)}.zip"
    )
    digest = hashlib.sha256(b"changed handler code").digest()
    changed = unsigned_key("cart-code", base64.b64encode(digest).decode())
    assert changed != unsigned_key("cart-code", artifact.sha256)
    assert changed == f"{storage.LAMBDA_UNSIGNED_PREFIX}cart-code/{digest.hex()}.zip"
    with pytest.raises(binascii.Error):
        hex_digest("not base64!")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_code_bucket_passes_every_bucket_rule(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    buckets = {u.inputs["bucket"] for u in code_uploads(run)}
    holders = [
        b for b in run.of_type(BUCKET) if (b.inputs.get("bucket") or f"{b.name}-0a1b2c3") in buckets
    ]
    assert len(holders) == len(run.outputs["regions"])
    exempt = [e.rule for e in from_stack_config(ROOT / f"Pulumi.{stack}.yaml")]
    urns = {b.urn for b in holders}
    findings = [
        str(f) for f in evaluate(to_stack(run), exempt=exempt) if f.mandatory and f.urn in urns
    ]
    assert findings == []
    # Nothing but the deployer reaches the code: the bucket policies grant under assets/ only.
    policies = [p for p in run.of_type(POLICY) if p.inputs["bucket"] in buckets]
    assert len(policies) == len(holders)
    for policy in policies:
        grants = [
            s for s in json.loads(policy.inputs["policy"])["Statement"] if s["Effect"] == "Allow"
        ]
        assert grants and all(
            s["Resource"].endswith(f"/{storage.ASSETS_PREFIX}*") for s in grants
        ), grants


def test_profile_names_keep_to_what_signer_allows() -> None:
    assert profile_name_prefix("dev") == "shop3d_dev_"
    assert profile_name_prefix("team-a.prod") == "shop3d_team_a_prod_"
    assert len(profile_name_prefix("x" * 80)) == 38


def test_a_job_without_a_signed_object_is_an_error() -> None:
    assert first_signed_key([{"s3s": [{"bucket": "b", "key": "k.zip"}]}]) == "k.zip"
    with pytest.raises(ValueError, match="no signed object"):
        first_signed_key([])
    with pytest.raises(ValueError, match="no signed key"):
        first_signed_key([{"s3s": [{"bucket": "b", "key": ""}]}])
