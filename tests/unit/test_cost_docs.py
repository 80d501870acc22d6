"""docs/plan-and-cost.md's cost figures are what the cost model computes now (offline, from the
program under mocks and the committed price snapshot): a change to the program, a price or a
traffic profile that moves a figure fails here until `./shop3d cost --write-docs` is run."""

from __future__ import annotations

import pytest

from offline.cost.docs_figures import BLOCK, STACKS, figures
from offline.doc_blocks import BlockMissing
from tests.unit.conftest import ProgramFactory


def test_the_cost_figures_in_docs_are_what_the_cost_model_computes(
    program: ProgramFactory,
) -> None:
    assert BLOCK.body() == figures(program), (
        f"docs/{BLOCK.page.name}'s cost figures are stale: run ./shop3d cost --write-docs"
    )


def test_the_figures_name_every_stack_and_the_snapshot_date() -> None:
    body = BLOCK.body()
    assert "snapshot 20" in body
    for stack in STACKS:
        assert f"\n| {stack} | default |" in body and f"\n| {stack} | black-friday |" in body


def test_a_page_without_the_markers_is_refused_with_the_command_to_run() -> None:
    with pytest.raises(BlockMissing, match="cost --write-docs"):
        BLOCK.body("no markers here")
