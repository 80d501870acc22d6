"""The committed build record covers every (handler, architecture) and is current for uv.lock;
every recorded entry point exists."""

from __future__ import annotations

import pytest

from lambda_packaging.lock_closure import lock_digest
from lambda_packaging.paths import REPO_ROOT
from lambda_packaging.record import BUILD_RECORD, read_build_record, record_key
from lambda_packaging.targets import ENTRY_POINTS, HANDLERS, Handler, architectures_of


def test_the_build_record_is_current() -> None:
    record = read_build_record()
    expected = {record_key(h, a) for h in HANDLERS for a in architectures_of(h)}
    assert set(record) == expected
    for handler in HANDLERS:
        for architecture in architectures_of(handler):
            entry = record[record_key(handler, architecture)]
            assert entry["lock_digest"] == lock_digest(handler), (
                f"uv.lock changed: run `python -m ci build-artifacts` and commit "
                f"{BUILD_RECORD.name}"
            )


@pytest.mark.parametrize("handler", HANDLERS)
def test_entry_point_is_defined_by_the_handler(handler: Handler) -> None:
    module, _, function = ENTRY_POINTS[handler].rpartition(".")
    source = REPO_ROOT / (module.replace(".", "/") + ".py")
    assert source.is_file(), f"{source} missing: the entry point {module}.{function}"
    assert f"def {function}(" in source.read_text()
