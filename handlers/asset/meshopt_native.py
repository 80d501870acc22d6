"""Direct ctypes binding of meshopt_simplifyWithAttributes.

The `meshoptimizer` wheel's own wrapper declares no argtypes for this function, so ctypes
refuses its float argument; we declare the C signature (meshoptimizer.h) once here.
"""

from __future__ import annotations

import ctypes

import numpy as np
from meshoptimizer._loader import lib
from numpy.typing import NDArray

_P_UINT = ctypes.POINTER(ctypes.c_uint)
_P_FLOAT = ctypes.POINTER(ctypes.c_float)
_P_UCHAR = ctypes.POINTER(ctypes.c_ubyte)
_SIZE = ctypes.c_size_t

_simplify_with_attributes = lib.meshopt_simplifyWithAttributes
_simplify_with_attributes.argtypes = [
    _P_UINT,
    _P_UINT,
    _SIZE,
    _P_FLOAT,
    _SIZE,
    _SIZE,
    _P_FLOAT,
    _SIZE,
    _P_FLOAT,
    _SIZE,
    _P_UCHAR,
    _SIZE,
    ctypes.c_float,
    ctypes.c_uint,
    _P_FLOAT,
]
_simplify_with_attributes.restype = _SIZE


def simplify_in_place(
    indices: NDArray[np.uint32],
    positions: NDArray[np.float32],
    attributes: NDArray[np.float32] | None,
    weights: NDArray[np.float32],
    lock: NDArray[np.uint8] | None,
    target_index_count: int,
    target_error: float,
    options: int,
) -> tuple[NDArray[np.uint32], float]:
    """The simplified index buffer (a prefix of `indices`, overwritten: meshoptimizer allows
    the destination to be the source, which saves a copy of the largest array) and the error
    reached (in the units `options` select)."""
    if not (indices.dtype == np.uint32 and indices.flags.c_contiguous and indices.flags.writeable):
        indices = np.array(indices, dtype=np.uint32)
    positions = np.ascontiguousarray(positions, dtype=np.float32)
    dest = indices
    error = ctypes.c_float(0.0)
    if attributes is None:
        # No attribute stream: one placeholder column that the zero count leaves unread.
        attributes = np.zeros((1, 1), dtype=np.float32)
        weights = np.zeros(0, dtype=np.float32)
    attributes = np.ascontiguousarray(attributes, dtype=np.float32)
    weights = np.ascontiguousarray(weights, dtype=np.float32)
    lock_ptr = (
        _P_UCHAR()
        if lock is None
        else np.ascontiguousarray(lock, dtype=np.uint8).ctypes.data_as(_P_UCHAR)
    )
    count = _simplify_with_attributes(
        dest.ctypes.data_as(_P_UINT),
        indices.ctypes.data_as(_P_UINT),
        indices.size,
        positions.ctypes.data_as(_P_FLOAT),
        positions.shape[0],
        12,
        attributes.ctypes.data_as(_P_FLOAT),
        attributes.shape[1] * 4,
        weights.ctypes.data_as(_P_FLOAT),
        weights.size,
        lock_ptr,
        target_index_count,
        target_error,
        options,
        ctypes.byref(error),
    )
    return dest[:count], float(error.value)
