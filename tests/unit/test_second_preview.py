"""The offline analogue of an empty second preview: the same inputs register the same
resources with the same inputs, and one handler edit changes only that function's code."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi

from offline.runner import ROOT, run_program

# Run in a copy of the repository: the edit must not touch the working tree others read.
DUMP = (
    "import json, sys\n"
    "from offline.runner import run_program\n"
    "from tests.unit.test_second_preview import comparable\n"
    "run = run_program(sys.argv[1], json.loads(sys.argv[2]))\n"
    "print(json.dumps({r.urn: comparable(r.inputs) for r in run.resources}, sort_keys=True))\n"
)
CART_ONLY_FILE = "handlers/cart/settings.py"


def comparable(value: Any) -> Any:
    """Inputs as the engine compares them: a file asset or archive by its path and content
    (the recorded objects compare by identity), everything else as it is."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [comparable(v) for v in value]
    if isinstance(value, pulumi.asset.Asset | pulumi.asset.Archive):
        path = Path(str(getattr(value, "path", "")))
        content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        return {"asset": type(value).__name__, "path": str(path), "sha256": content}
    return value


def inputs_by_urn(stack: str, overrides: dict[str, object]) -> dict[str, Any]:
    return {r.urn: comparable(r.inputs) for r in run_program(stack, overrides).resources}


def test_two_runs_with_identical_inputs_register_identical_inputs() -> None:
    overrides: dict[str, object] = {"storefrontDist": "skip"}
    first = inputs_by_urn("prod", overrides)
    second = inputs_by_urn("prod", overrides)
    assert first.keys() == second.keys()
    differing = sorted(urn for urn in first if first[urn] != second[urn])
    assert differing == []


def _copy_of_the_repository(destination: Path) -> Path:
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    if (ROOT / "build").exists():  # built layers the program references
        shutil.copytree(ROOT / "build", destination / "build")
    return destination


def _inputs_in(copy: Path, stack: str, overrides: dict[str, object]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", DUMP, stack, json.dumps(overrides)],
        cwd=copy,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    )
    inputs: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return inputs


def test_editing_one_cart_file_changes_only_the_cart_code_and_its_functions(
    tmp_path: Path,
) -> None:
    copy = _copy_of_the_repository(tmp_path / "repo")
    overrides: dict[str, object] = {"storefrontDist": "skip"}
    before = _inputs_in(copy, "dev", overrides)
    edited = copy / CART_ONLY_FILE
    edited.write_text(edited.read_text() + "\n# an edit that changes the cart code only\n")
    after = _inputs_in(copy, "dev", overrides)

    assert before.keys() == after.keys()
    changed = sorted(urn.rsplit("::", 1)[1] for urn in before if before[urn] != after[urn])
    regions = ("us-east-1", "eu-west-1")
    # The cart artifact (shared by the cart API, the cart-schema function and the writer
    # region's order jobs and search projection): its unsigned upload and signing job per region, and the functions
    # that run it.
    expected = sorted(
        [f"signing-{r}-cart-code-upload" for r in regions]
        + [f"signing-{r}-cart-code-job" for r in regions]
        + [f"cell-{r}-cart" for r in regions]
        + ["cell-us-east-1-cart-schema", "cell-us-east-1-order-jobs"]
        + ["cell-us-east-1-search-projection"]
    )
    assert changed == expected


def test_editing_the_storefront_rebuilds_only_the_render_image_and_what_pulls_it(
    tmp_path: Path,
) -> None:
    """The render image's tag hashes its own context (the storefront's build inputs and the
    asset handlers): a storefront edit rebuilds it once, in the primary, and the other regions
    wait for the new replica; the asset images, built from the asset handler's context, stay.
    An edit outside every image's context (ci/) changes nothing at all."""
    copy = _copy_of_the_repository(tmp_path / "repo")
    overrides: dict[str, object] = {"storefrontDist": "skip"}
    before = _inputs_in(copy, "dev", overrides)
    unrelated = copy / "ci" / "driver.py"
    unrelated.write_text(unrelated.read_text() + "\n# an edit no image contains\n")
    assert _inputs_in(copy, "dev", overrides) == before
    edited = copy / "storefront" / "src" / "main.ts"
    edited.write_text(edited.read_text() + "\n// an edit in the render image's context\n")
    after = _inputs_in(copy, "dev", overrides)

    assert before.keys() == after.keys()
    changed = sorted(urn.rsplit("::", 1)[1] for urn in before if before[urn] != after[urn])
    primary, secondary = "us-east-1", "eu-west-1"
    assert changed == sorted(
        [
            f"images-{primary}-render-image",
            f"images-{secondary}-render-image-replica",
            f"cell-{primary}-render-job",
            f"cell-{secondary}-render-job",
        ]
    )
