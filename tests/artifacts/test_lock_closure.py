"""The slice of uv.lock each handler's group pulls in, and its digest."""

from __future__ import annotations

import pytest

from lambda_packaging.errors import ArtifactError
from lambda_packaging.lock_closure import group_closure, lock_digest
from lambda_packaging.paths import UV_LOCK


def test_asset_group_pulls_no_scipy_and_cart_no_numpy() -> None:
    asset = {p["name"] for p in group_closure("asset")}
    cart = {p["name"] for p in group_closure("cart")}
    assert {"trimesh", "numpy", "dracopy"} <= asset and "scipy" not in asset
    assert {"pydantic", "psycopg-binary"} <= cart and "numpy" not in cart


def test_lock_digest_follows_only_the_groups_packages() -> None:
    lock = UV_LOCK.read_text()
    unrelated = lock.replace('name = "ruff"\nversion = "', 'name = "ruff"\nversion = "9')
    related = lock.replace('name = "pydantic"\nversion = "', 'name = "pydantic"\nversion = "9')
    assert unrelated != lock and related != lock
    assert lock_digest("cart", unrelated.encode()) == lock_digest("cart")
    assert lock_digest("cart", related.encode()) != lock_digest("cart")
    with pytest.raises(ArtifactError, match="no dependency group 'orders'"):
        lock_digest("orders")
