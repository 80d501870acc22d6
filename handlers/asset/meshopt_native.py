"""meshoptimizer 1.x's meshopt_simplifyWithUpdate, from the library inside the `almeshopt` wheel.

almeshopt's Cython API wraps meshopt_simplifyWithAttributes but not simplifyWithUpdate, which
also moves each kept vertex to where it best fits the surface it replaces (at the same
triangle counts, 2-36% less mean error over the benchmark's 12 LODs than keeping vertices where
they were). Its extension module is an ordinary shared library that exports the C API, so we
bind this one function with ctypes and the C signature from meshoptimizer.h.
"""

from __future__ import annotations

import ctypes
import importlib
from types import ModuleType
from typing import Final

import numpy as np
from numpy.typing import NDArray


def _extension() -> ModuleType:
    """The compiled module almeshopt loaded (its wheels ship the AVX2 build only; the plain
    name is its own fallback)."""
    importlib.import_module("almeshopt")
    for name in ("almeshopt.almeshopt_avx2", "almeshopt.almeshopt"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError("almeshopt is installed without its compiled module")


_MODULE: Final = _extension()
# meshopt_SimplifyErrorAbsolute and meshopt_SimplifyVertex_Lock, as the library defines them.
ERROR_ABSOLUTE: Final[int] = int(_MODULE.SIMPLIFY_ERROR_ABSOLUTE)
VERTEX_LOCK: Final[int] = int(_MODULE.SIMPLIFY_VERTEX_LOCK)

_P_UINT = ctypes.POINTER(ctypes.c_uint)
_P_FLOAT = ctypes.POINTER(ctypes.c_float)
_P_UCHAR = ctypes.POINTER(ctypes.c_ubyte)
_SIZE = ctypes.c_size_t

_simplify_with_update = ctypes.CDLL(str(_MODULE.__file__)).meshopt_simplifyWithUpdate
_simplify_with_update.argtypes = [
    _P_UINT,  # indices (in and out)
    _SIZE,
    _P_FLOAT,  # positions (in and out)
    _SIZE,
    _SIZE,
    _P_FLOAT,  # attributes (in and out)
    _SIZE,
    _P_FLOAT,
    _SIZE,
    _P_UCHAR,
    _SIZE,
    ctypes.c_float,
    ctypes.c_uint,
    _P_FLOAT,
]
_simplify_with_update.restype = _SIZE


def updatable(array: NDArray[np.generic], dtype: type) -> bool:
    """Whether the simplifier can work on `array` itself (rather than on a copy)."""
    return bool(array.dtype == dtype and array.flags.c_contiguous and array.flags.writeable)


def _require_updatable(name: str, array: NDArray[np.generic], dtype: type) -> None:
    if not updatable(array, dtype):
        raise ValueError(
            f"{name} must be a writeable C-contiguous {np.dtype(dtype).name} array "
            f"(the simplifier updates it in place), got {array.dtype} "
            f"contiguous={array.flags.c_contiguous} writeable={array.flags.writeable}"
        )


def simplify_with_update(
    indices: NDArray[np.uint32],
    positions: NDArray[np.float32],
    attributes: NDArray[np.float32] | None,
    weights: NDArray[np.float32],
    lock: NDArray[np.uint8] | None,
    target_index_count: int,
    target_error: float,
    options: int,
) -> tuple[NDArray[np.uint32], float]:
    """Simplify in place: `indices` receives the result as a prefix (returned), `positions`
    ((n, 3)) and `attributes` ((n, k), weighted by `weights`) get the kept vertices' new values.
    Vertices flagged VERTEX_LOCK in `lock` neither move nor go. Also returns the error reached,
    in the units `options` select."""
    _require_updatable("indices", indices, np.uint32)
    _require_updatable("positions", positions, np.float32)
    if positions.ndim != 2 or positions.shape[1] != 3:
        raise ValueError(f"positions must have shape (n, 3), got {positions.shape}")
    attribute_ptr, attribute_stride, weight_ptr, attribute_count = _P_FLOAT(), 0, _P_FLOAT(), 0
    if attributes is not None:
        _require_updatable("attributes", attributes, np.float32)
        weights = np.ascontiguousarray(weights, dtype=np.float32)
        if attributes.shape != (positions.shape[0], weights.size):
            raise ValueError(
                f"attributes must have shape ({positions.shape[0]}, {weights.size}) "
                f"(one row per vertex, one column per weight), got {attributes.shape}"
            )
        attribute_ptr = attributes.ctypes.data_as(_P_FLOAT)
        attribute_stride, attribute_count = attributes.shape[1] * 4, weights.size
        weight_ptr = weights.ctypes.data_as(_P_FLOAT)
    lock_ptr = _P_UCHAR()
    if lock is not None:
        lock = np.ascontiguousarray(lock, dtype=np.uint8)
        if lock.shape != (positions.shape[0],):
            raise ValueError(f"lock must have one flag per vertex, got shape {lock.shape}")
        lock_ptr = lock.ctypes.data_as(_P_UCHAR)
    error = ctypes.c_float(0.0)
    count = _simplify_with_update(
        indices.ctypes.data_as(_P_UINT),
        indices.size,
        positions.ctypes.data_as(_P_FLOAT),
        positions.shape[0],
        12,
        attribute_ptr,
        attribute_stride,
        weight_ptr,
        attribute_count,
        lock_ptr,
        target_index_count,
        target_error,
        options,
        ctypes.byref(error),
    )
    return indices[:count], float(error.value)
