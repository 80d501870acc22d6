"""The project files say what the code does: Pulumi.yaml and docs/stack-config.md's config
table are generated from stack_config/keys.py, docs/shipping.md's artifacts table from the
build record and its policy figures from the pack and the stack files; none may drift."""

from __future__ import annotations

from pathlib import Path

import yaml

from stack_config import schema
from stack_config.keys import KEYS, qualified

ROOT = Path(__file__).resolve().parents[2]


def test_pulumi_yaml_is_generated_from_the_key_table() -> None:
    assert (ROOT / "Pulumi.yaml").read_text() == schema.render(), (
        "Pulumi.yaml is stale: run ./shop3d config-schema"
    )


def test_every_key_is_declared_with_type_description_and_default() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "shop3d"
    assert project["runtime"]["name"] == "python"
    declared = project["config"]
    assert sorted(declared) == sorted(qualified(k.key) for k in KEYS)
    for key, declaration in declared.items():
        assert declaration["type"] in ("string", "integer", "boolean", "array"), key
        assert declaration["description"], key
        # Pulumi makes a declared key without a default required on every stack.
        assert "default" in declaration, key


def test_stack_files_use_only_declared_keys() -> None:
    declared = set(yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"])
    for stack_file in ROOT.glob("Pulumi.*.yaml"):
        keys = set((yaml.safe_load(stack_file.read_text()) or {}).get("config") or {})
        assert {k for k in keys if k.startswith("shop3d:")} <= declared, stack_file.name


def test_the_config_table_in_docs_is_generated_from_the_key_table() -> None:
    page = (ROOT / "docs" / "stack-config.md").read_text()
    assert schema.page_with_table(page) == page, (
        "docs/stack-config.md's config table is stale: run ./shop3d config-schema"
    )


def test_the_artifacts_table_in_docs_is_rendered_from_the_committed_record() -> None:
    from ci import artifacts_docs

    assert artifacts_docs.BLOCK.body() == artifacts_docs.render(), (
        "docs/shipping.md's artifacts table is stale: run python -m ci build-artifacts"
    )


def test_the_policy_figures_in_docs_come_from_the_pack_and_the_stack_files() -> None:
    from offline import policy_docs
    from policy.exemptions import from_stack_config

    assert policy_docs.RULE_COUNTS.body() == policy_docs.rule_counts()
    assert policy_docs.EXEMPTIONS.body() == policy_docs.exemptions_table(), (
        "docs/shipping.md's exemptions are stale: run python -m offline.policy_docs"
    )
    # Every exemption of every stack file is in the table, with its reason.
    table = policy_docs.EXEMPTIONS.body()
    for stack_file in ROOT.glob("Pulumi.*.yaml"):
        for exemption in from_stack_config(stack_file):
            assert f"`{exemption.rule}` | {exemption.reason} |" in table
