"""GLB / glTF containers: header, chunks, JSON and buffers, with URI rules.

Nothing is ever fetched: buffers and images are embedded (GLB binary chunk or `data:` URIs)
or, for a .gltf on local disk, relative files next to it. `http:`, `file:`, absolute paths
and `..` are refused.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from handlers.asset.config import AssetLimits
from handlers.asset.errors import AssetRejected

GLB_MAGIC = b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942
GLB_HEADER = struct.Struct("<4sII")
CHUNK_HEADER = struct.Struct("<II")
# What an upload is read from. Chunks and buffers are memoryview slices of it (zero-copy):
# only decoded arrays own memory, so the upload can be released right after import.
ByteSource = bytes | bytearray | memoryview


@dataclass
class GltfDocument:
    json: dict[str, Any]
    buffers: list[memoryview]
    base_dir: Path | None  # where relative URIs resolve; None means only embedded data

    def resolve_uri(self, uri: str, what: str) -> bytes:
        """The bytes of a buffer or image URI, under the rules in the module docstring."""
        if uri.startswith("data:"):
            return decode_data_uri(uri, what)
        check_relative_uri(uri, what)
        if self.base_dir is None:
            raise AssetRejected(
                f"{what} refers to the external file {uri!r}; uploads must be self-contained: "
                "use a .glb or embed buffers and images as data: URIs"
            )
        path = self.base_dir / unquote(uri)
        if not path.is_file():
            raise AssetRejected(f"{what} refers to {uri!r}, which does not exist next to the file")
        return path.read_bytes()


def check_relative_uri(uri: str, what: str) -> None:
    decoded = unquote(uri)
    if ":" in decoded.split("/")[0] or decoded.startswith(("/", "\\")) or "\\" in decoded:
        raise AssetRejected(
            f"{what} has URI {uri!r}: only embedded data: URIs and relative paths are allowed "
            "(no http:, file:, or absolute paths; nothing is fetched)"
        )
    if any(part == ".." for part in decoded.split("/")):
        raise AssetRejected(f"{what} has URI {uri!r}: '..' is not allowed in a relative path")


def decode_data_uri(uri: str, what: str) -> bytes:
    header, sep, payload = uri.partition(",")
    if not sep or not header.endswith(";base64"):
        raise AssetRejected(f"{what} has a data: URI that is not base64 encoded")
    try:
        return base64.b64decode(payload, validate=True)
    except binascii.Error:
        raise AssetRejected(f"{what} has a data: URI whose base64 payload is invalid") from None


def parse_json(raw: ByteSource, limits: AssetLimits) -> dict[str, Any]:
    if len(raw) > limits.max_json_bytes:
        raise AssetRejected(
            f"glTF JSON is {len(raw)} bytes; the limit is {limits.max_json_bytes} bytes"
        )
    try:
        doc = json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise AssetRejected(f"glTF JSON is not valid UTF-8 JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise AssetRejected("glTF JSON must be an object at the top level")
    asset = doc.get("asset")
    version = asset.get("version") if isinstance(asset, dict) else None
    if not isinstance(version, str) or not version.startswith("2."):
        raise AssetRejected(f"glTF asset.version is {version!r}; only version 2.x is supported")
    return doc


def parse_glb(data: ByteSource, limits: AssetLimits) -> tuple[dict[str, Any], memoryview | None]:
    """Split a GLB into its JSON and optional BIN chunk (views, not copies), checking every
    length."""
    if len(data) < GLB_HEADER.size:
        raise AssetRejected(f"GLB is {len(data)} bytes, shorter than its 12-byte header")
    magic, version, length = GLB_HEADER.unpack_from(data, 0)
    if magic != GLB_MAGIC:
        raise AssetRejected(f"not a GLB: magic is {magic!r}, expected b'glTF'")
    if version != 2:
        raise AssetRejected(f"GLB container version is {version}; only version 2 is supported")
    if length > len(data):
        raise AssetRejected(f"GLB header declares {length} bytes but the file has {len(data)}")
    whole = memoryview(data)
    chunks: list[tuple[int, memoryview]] = []
    offset = GLB_HEADER.size
    while offset < length:
        if offset + CHUNK_HEADER.size > length:
            raise AssetRejected(f"GLB chunk header at byte {offset} runs past the end of the file")
        chunk_length, chunk_type = CHUNK_HEADER.unpack_from(data, offset)
        start = offset + CHUNK_HEADER.size
        if start + chunk_length > length:
            raise AssetRejected(
                f"GLB chunk at byte {offset} declares {chunk_length} bytes, "
                f"past the end of the {length}-byte file"
            )
        chunks.append((chunk_type, whole[start : start + chunk_length]))
        offset = start + chunk_length + (-chunk_length % 4)
    if not chunks or chunks[0][0] != CHUNK_JSON:
        raise AssetRejected("GLB's first chunk must be the JSON chunk")
    doc = parse_json(chunks[0][1], limits)
    binary = chunks[1][1] if len(chunks) > 1 and chunks[1][0] == CHUNK_BIN else None
    return doc, binary


def load_document(
    data: ByteSource, limits: AssetLimits, base_dir: Path | None, *, require_glb: bool = False
) -> GltfDocument:
    """A GLB or .gltf file's JSON with every buffer resolved and length-checked."""
    if require_glb or bytes(data[:4]) == GLB_MAGIC:
        doc, binary = parse_glb(data, limits)
    else:
        doc, binary = parse_json(data, limits), None
    document = GltfDocument(json=doc, buffers=[], base_dir=base_dir)
    buffers = doc.get("buffers", [])
    if not isinstance(buffers, list):
        raise AssetRejected("glTF 'buffers' must be an array")
    for i, buf in enumerate(buffers):
        what = f"buffers[{i}]"
        if not isinstance(buf, dict):
            raise AssetRejected(f"{what} must be an object")
        declared = buf.get("byteLength")
        if not isinstance(declared, int) or declared < 0:
            raise AssetRejected(f"{what}.byteLength must be a non-negative integer")
        uri = buf.get("uri")
        if uri is None and is_meshopt_fallback(buf):
            # Placeholder for meshopt-compressed views: never read, never allocated.
            document.buffers.append(memoryview(b""))
            continue
        if uri is None:
            if i != 0 or binary is None:
                raise AssetRejected(f"{what} has no uri and there is no GLB binary chunk for it")
            content = binary
        elif isinstance(uri, str):
            content = memoryview(document.resolve_uri(uri, what))
        else:
            raise AssetRejected(f"{what}.uri must be a string")
        if len(content) < declared:
            raise AssetRejected(
                f"{what} declares {declared} bytes but only {len(content)} are present"
            )
        document.buffers.append(content[:declared])
    return document


def is_meshopt_fallback(buffer: dict[str, Any]) -> bool:
    ext = buffer.get("extensions", {})
    meshopt = ext.get("EXT_meshopt_compression") if isinstance(ext, dict) else None
    return isinstance(meshopt, dict) and meshopt.get("fallback") is True
