"""The project files say what the code does: Pulumi.yaml and docs/stack-config.md's config
table are generated from stack_config/keys.py and must not drift from it."""

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
