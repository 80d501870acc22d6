"""The admin API as the importer uses it: products created or updated (If-Match), models sent
through the same presigned multipart path the storefront's upload page uses."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PRODUCTS = "/api/admin/products"
PARALLEL_PARTS = 4
PART_ATTEMPTS = 3
HTTP_TIMEOUT_S = 120


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any

    @property
    def detail(self) -> str:
        if isinstance(self.body, dict) and "detail" in self.body:
            return str(self.body["detail"])
        return f"HTTP {self.status}"


# (method, path, JSON body or None, extra headers) -> Answer
Transport = Callable[[str, str, Any, dict[str, str]], Answer]


def http_transport(base_url: str, token: str) -> Transport:
    """The admin API at `base_url` (https://<domain> in AWS), with an admin's access token."""
    if not base_url.startswith(("https://", "http://")):
        raise ValueError(f"API URL {base_url!r} must be http(s)://")

    def send(method: str, path: str, body: Any, headers: dict[str, str]) -> Answer:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            base_url.rstrip("/") + path,
            data=data,
            method=method,
            headers={
                "authorization": f"Bearer {token}",
                "content-type": "application/json",
                **headers,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as reply:  # noqa: S310
                return Answer(reply.status, json.loads(reply.read() or b"null"))
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return Answer(error.code, json.loads(text))
            except ValueError:
                return Answer(error.code, {"detail": text[:200].decode(errors="replace")})

    return send


def put_part(url: str, data: bytes) -> int:
    """PUT one part to its presigned URL (no credentials: the URL is the grant)."""
    parts = urlsplit(url)
    connection = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    conn = connection(parts.netloc, timeout=HTTP_TIMEOUT_S)
    try:
        conn.request("PUT", f"{parts.path}?{parts.query}", body=data)
        reply = conn.getresponse()
        reply.read()
        return reply.status
    finally:
        conn.close()


class ImportError_(RuntimeError):
    """One row could not be imported: the API's words."""


class AdminApi:
    def __init__(self, send: Transport) -> None:
        self.send = send

    def upsert(self, product: dict[str, Any]) -> str:
        """Create the product, or update it to these fields; "created" or "updated"."""
        sku = product["sku"]
        current = self.send("GET", f"{PRODUCTS}/{sku}", None, {})
        if current.status == 404:
            made = self.send("POST", PRODUCTS, product, {})
            if made.status != 201:
                raise ImportError_(made.detail)
            return "created"
        if current.status != 200:
            raise ImportError_(current.detail)
        changes = {k: v for k, v in product.items() if k not in ("sku", "seller")}
        for _ in range(2):  # one retry after someone else's edit in between
            version = current.body["version"]
            updated = self.send("PATCH", f"{PRODUCTS}/{sku}", changes, {"if-match": f'"{version}"'})
            if updated.status == 200:
                return "updated"
            if updated.status != 412:
                raise ImportError_(updated.detail)
            current = self.send("GET", f"{PRODUCTS}/{sku}", None, {})
        raise ImportError_(f"{sku}: edited by someone else while importing; run again")

    def upload(self, sku: str, model: Path) -> None:
        """The model through the multipart path: parts in parallel, each retried, then complete."""
        size = model.stat().st_size
        plan = self.send(
            "POST", f"{PRODUCTS}/{sku}/uploads", {"file_name": model.name, "size": size}, {}
        )
        if plan.status != 201:
            raise ImportError_(plan.detail)

        def send_part(part: dict[str, Any]) -> None:
            with model.open("rb") as handle:
                handle.seek((part["part_number"] - 1) * plan.body["part_size"])
                data = handle.read(part["size"])
            for _ in range(PART_ATTEMPTS):
                try:
                    if put_part(part["url"], data) == 200:
                        return
                except OSError:
                    continue
            raise ImportError_(f"part {part['part_number']} failed {PART_ATTEMPTS} times")

        with ThreadPoolExecutor(PARALLEL_PARTS) as pool:
            list(pool.map(send_part, plan.body["parts"]))
        done = self.send(
            "POST",
            f"{PRODUCTS}/{sku}/uploads/current/complete",
            {"upload_id": plan.body["upload_id"]},
            {},
        )
        if done.status != 200:
            raise ImportError_(done.detail)
