"""Reading glTF accessors into numpy: byte strides, normalized integers, sparse substitution,
and bufferViews compressed with EXT_meshopt_compression (decoded on first use)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from handlers.asset import gltf_fields as f
from handlers.asset.errors import AssetRejected
from handlers.asset.gltf_container import GltfDocument

COMPONENT_DTYPES: dict[int, np.dtype[Any]] = {
    5120: np.dtype(np.int8),
    5121: np.dtype(np.uint8),
    5122: np.dtype(np.int16),
    5123: np.dtype(np.uint16),
    5125: np.dtype(np.uint32),
    5126: np.dtype(np.float32),
}
INDEX_COMPONENTS = (5121, 5123, 5125)
TYPE_COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}
# Divisors that map normalized integers to [0, 1] / [-1, 1] (glTF 2.0 section 3.11).
NORMALIZE_DIVISOR = {5120: 127.0, 5121: 255.0, 5122: 32767.0, 5123: 65535.0}


class AccessorReader:
    def __init__(self, document: GltfDocument) -> None:
        self.doc = document.json
        self.buffers = document.buffers
        self._views: dict[int, memoryview | bytes] = {}

    def view_bytes(self, view_index: Any, what: str) -> tuple[memoryview | bytes, int | None]:
        """A bufferView's bytes and its byteStride, meshopt-decoded if compressed."""
        view = f.item(self.doc, "bufferViews", view_index, what)
        idx = int(view_index)
        stride = view.get("byteStride")
        if stride is not None:
            stride = f.natural(stride, f"bufferViews[{idx}].byteStride")
            if not 4 <= stride <= 252 or stride % 4:
                raise AssetRejected(
                    f"bufferViews[{idx}].byteStride is {stride}; allowed: 4 to 252, a multiple of 4"
                )
        if idx not in self._views:
            meshopt = view.get("extensions", {}).get("EXT_meshopt_compression")
            if meshopt is not None:
                self._views[idx] = self._meshopt_view(
                    idx, f.obj(meshopt, "EXT_meshopt_compression")
                )
            else:
                self._views[idx] = self._slice(view, f"bufferViews[{idx}]")
        return self._views[idx], stride

    def _slice(self, view: dict[str, Any], what: str) -> memoryview:
        buffer = self.buffers[f.index(view.get("buffer"), len(self.buffers), f"{what}.buffer")]
        offset = f.natural(view.get("byteOffset"), f"{what}.byteOffset", default=0)
        length = f.natural(view.get("byteLength"), f"{what}.byteLength")
        if offset + length > len(buffer):
            raise AssetRejected(
                f"{what} spans bytes {offset}..{offset + length} of a {len(buffer)}-byte buffer"
            )
        return buffer[offset : offset + length]

    def _meshopt_view(self, idx: int, ext: dict[str, Any]) -> bytes:
        from handlers.asset.meshopt_decode import decode_meshopt_view

        what = f"bufferViews[{idx}].extensions.EXT_meshopt_compression"
        return decode_meshopt_view(bytes(self._slice(ext, what)), ext, what)

    def read(self, accessor_index: Any, what: str) -> NDArray[Any]:
        """Accessor data as a (count, components) array; normalized integers become float32."""
        acc = f.item(self.doc, "accessors", accessor_index, what)
        name = f"accessors[{accessor_index}]"
        ctype = acc.get("componentType")
        if not isinstance(ctype, int) or ctype not in COMPONENT_DTYPES:
            raise AssetRejected(f"{name}.componentType {ctype!r} is not a glTF component type")
        kind = acc.get("type")
        ncomp = TYPE_COMPONENTS.get(kind) if isinstance(kind, str) else None
        if ncomp is None:
            raise AssetRejected(f"{name}.type {acc.get('type')!r}: expected SCALAR or VEC2-4")
        count = f.natural(acc.get("count"), f"{name}.count")
        dtype = COMPONENT_DTYPES[ctype]
        if "bufferView" in acc:
            data = self._strided(acc, name, dtype, ncomp, count)
        else:
            data = np.zeros((count, ncomp), dtype=dtype)
        if "sparse" in acc:
            self._apply_sparse(data, f.obj(acc["sparse"], f"{name}.sparse"), name, dtype, ncomp)
        if acc.get("normalized") is True and ctype in NORMALIZE_DIVISOR:
            scaled = data.astype(np.float32) / np.float32(NORMALIZE_DIVISOR[ctype])
            clamped: NDArray[Any] = np.maximum(scaled, np.float32(-1.0))
            return clamped
        return data

    def _strided(
        self, acc: dict[str, Any], name: str, dtype: np.dtype[Any], ncomp: int, count: int
    ) -> NDArray[Any]:
        raw, stride = self.view_bytes(acc["bufferView"], f"{name}.bufferView")
        offset = f.natural(acc.get("byteOffset"), f"{name}.byteOffset", default=0)
        element = dtype.itemsize * ncomp
        step = stride or element
        end = offset + step * (count - 1) + element if count else offset
        if end > len(raw):
            raise AssetRejected(
                f"{name} reads {count} elements up to byte {end} of a {len(raw)}-byte bufferView"
            )
        if count == 0:
            return np.zeros((0, ncomp), dtype=dtype)
        view = np.ndarray(
            shape=(count, ncomp),
            dtype=dtype,
            buffer=raw,
            offset=offset,
            strides=(step, dtype.itemsize),
        )
        return view.copy()

    def _apply_sparse(
        self,
        data: NDArray[Any],
        sparse: dict[str, Any],
        name: str,
        dtype: np.dtype[Any],
        ncomp: int,
    ) -> None:
        count = f.natural(sparse.get("count"), f"{name}.sparse.count")
        if count > data.shape[0]:
            raise AssetRejected(f"{name}.sparse.count {count} exceeds the accessor count")
        idx_info = f.obj(sparse.get("indices"), f"{name}.sparse.indices")
        val_info = f.obj(sparse.get("values"), f"{name}.sparse.values")
        ictype = idx_info.get("componentType")
        if not isinstance(ictype, int) or ictype not in INDEX_COMPONENTS:
            raise AssetRejected(f"{name}.sparse.indices.componentType must be 5121, 5123 or 5125")
        indices = self._packed(
            idx_info, f"{name}.sparse.indices", COMPONENT_DTYPES[ictype], 1, count
        )[:, 0]
        values = self._packed(val_info, f"{name}.sparse.values", dtype, ncomp, count)
        if count and int(indices.max()) >= data.shape[0]:
            raise AssetRejected(f"{name}.sparse.indices point past the accessor's {data.shape[0]}")
        data[indices.astype(np.int64)] = values

    def _packed(
        self, info: dict[str, Any], what: str, dtype: np.dtype[Any], ncomp: int, count: int
    ) -> NDArray[Any]:
        raw, _ = self.view_bytes(info.get("bufferView"), f"{what}.bufferView")
        offset = f.natural(info.get("byteOffset"), f"{what}.byteOffset", default=0)
        size = dtype.itemsize * ncomp * count
        if offset + size > len(raw):
            raise AssetRejected(f"{what} needs {size} bytes from byte {offset} of {len(raw)}")
        return np.frombuffer(raw, dtype=dtype, count=ncomp * count, offset=offset).reshape(
            count, ncomp
        )
