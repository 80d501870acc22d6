"""docs/shipping.md's policy figures, from the pack and the stack files themselves: the rule
counts and each stack's exemptions with their reasons (the stack file is the one place a reason
is written). It lives here, not in policy/, because the pack imports nothing of offline.
`python -m offline.policy_docs` writes them between markers; tests/unit/test_project_files.py
renders them again and compares."""

from __future__ import annotations

import sys
from pathlib import Path

from offline.doc_blocks import DOCS, GeneratedBlock
from policy.exemptions import from_stack_config
from policy.model import StackRule
from policy.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "python -m offline.policy_docs"
RULE_COUNTS = GeneratedBlock(DOCS / "shipping.md", "policy-rules", COMMAND)
EXEMPTIONS = GeneratedBlock(DOCS / "shipping.md", "policy-exemptions", COMMAND)


def rule_counts() -> str:
    stack_level = sum(1 for rule in ALL_RULES if isinstance(rule, StackRule))
    return (
        f"The pack holds {len(ALL_RULES)} rules: {len(ALL_RULES) - stack_level} check one "
        f"resource each, {stack_level} are stack-level rules."
    )


def exemptions_table(root: Path = ROOT) -> str:
    """One row per rule and reason, naming every stack that relaxes it so."""
    stacks: dict[tuple[str, str], list[str]] = {}
    for stack_file in sorted(root.glob("Pulumi.*.yaml")):
        stack = stack_file.name.split(".")[1]
        for exemption in from_stack_config(stack_file):
            stacks.setdefault((exemption.rule, exemption.reason), []).append(stack)
    rows = ["| stacks | rule relaxed | reason |", "|---|---|---|"]
    rows += [
        f"| {', '.join(names)} | `{rule}` | {reason} |"
        for (rule, reason), names in sorted(stacks.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    return "\n".join(rows)


def main() -> int:
    RULE_COUNTS.write(rule_counts())
    EXEMPTIONS.write(exemptions_table())
    print(f"wrote the policy rule counts and exemptions of docs/{EXEMPTIONS.page.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
