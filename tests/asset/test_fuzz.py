"""Hypothesis fuzzing of the GLB importer: mutated bytes and mutated JSON must either import
or be rejected with AssetRejected, never crash with anything else."""

from __future__ import annotations

import json
import struct
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.asset.config import AssetLimits, PipelineConfig
from handlers.asset.errors import AssetRejected
from handlers.asset.glb_write import pack_glb
from handlers.asset.pipeline import import_model
from tests.asset.gltf_factory import GltfParts

# Small limits keep any accepted mutation cheap to decode.
CONFIG = PipelineConfig(limits=AssetLimits(max_triangles=10_000, max_vertices=10_000))
PARTS = GltfParts(4)
SEED = PARTS.glb()
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def import_or_reject(data: bytes) -> None:
    try:
        import_model(data, "fuzz.glb", CONFIG)
    except AssetRejected as exc:
        assert str(exc)  # a rejection always says why


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255)), max_size=8),
    st.integers(0, len(SEED)),
)
def test_byte_flips_and_truncation(flips: list[tuple[int, int]], cut: int):
    data = bytearray(SEED)
    for position, value in flips:
        data[position] = value
    import_or_reject(bytes(data[: max(cut, 12)]))


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(-3, 100), max_size=4),
    st.dictionaries(
        st.sampled_from(["bufferView", "count", "uri", "byteStride"]),
        st.integers(-3, 10**7),
        max_size=2,
    ),
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


PATHS = paths(PARTS.doc | {"buffers": [{"byteLength": len(PARTS.binary)}]})


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON_VALUES), min_size=1, max_size=4))
def test_json_field_mutations(mutations: list[tuple[tuple[Any, ...], Any]]):
    doc = json.loads(json.dumps(PARTS.doc | {"buffers": [{"byteLength": len(PARTS.binary)}]}))
    for path, value in mutations:
        target = doc
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    data = pack_glb(doc, bytes(PARTS.binary))
    assert struct.unpack_from("<I", data, 8)[0] == len(data)
    import_or_reject(data)
