"""A seller in Chromium: signs in (the account API's sign-in against moto's Cognito, which
sets the session cookie), creates a product, uploads a model with the
progress bar, sees it READY and previews a LOD; then a shopper finds it through the search box
(suggestions, keyboard) and the results page (facets, filters, empty and error states). Real
pieces throughout: the built storefront on the local site server with the page renderer, the
cart handler, moto's S3 and SQS (the bucket's notification), the asset handler fed by the upload
event pump, DynamoDB Local, its catalog stream projected into search, and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import boto3

from handlers.cart.limits import SEARCH_PAGE_DEFAULT
from handlers.shared import env
from handlers.shared.groups import SELLER_GROUP
from handlers.shared.tables import CATALOG
from tests.asset.gltf_factory import GltfParts
from tests.cart.search_catalog import Catalog
from tests.sellers.browser import run_flow
from tests.sellers.staff_pool import PASSWORD

FLOW = Path(__file__).with_name("admin_flow.mjs")
SUGGEST_MIN_CHARS = 2  # storefront/src/search/suggester.ts
PAGED_PRODUCTS = SEARCH_PAGE_DEFAULT + 5


def _unique_word() -> str:
    return "zq" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])


def test_a_seller_creates_a_product_uploads_a_model_sees_it_ready_and_a_shopper_finds_it(
    site, issuer, tmp_path, cart_env, catalog_stream
):
    email, seller_sub, _ = issuer.user_with_email(SELLER_GROUP)
    sku = f"BOX-{uuid.uuid4().hex[:8]}"
    # A word no other product has (letters only: the search's english configuration stems it as
    # one word); the shopper types its first six letters.
    word = _unique_word()
    name = f"Browser box {word}"
    # More products than a results page holds, all named by one other unique word.
    paged_word = _unique_word()
    paged = Catalog(cart_env.tables[CATALOG.logical_name], catalog_stream)
    for n in range(PAGED_PRODUCTS):
        paged.put(f"p{n}", f"Lantern {paged_word} {n}")
    model = tmp_path / "box.glb"
    model.write_bytes(GltfParts(16).glb())
    broken = tmp_path / "broken.glb"
    broken.write_bytes(b"not a glTF binary")
    shopper = [name, word, paged_word]
    seen = run_flow(FLOW, site, email, PASSWORD, sku, *shopper, str(model), str(broken))
    assert seen["signIn"] == 200
    assert seen["errors"] == []
    assert seen["version"] == "1"
    size = model.stat().st_size
    assert seen["progress"][-1] == [size, size]  # the bar ends full, at the file's size
    assert seen["words"].startswith("Uploaded")
    assert seen["asset"]["status"] == "READY", seen["asset"]
    assert seen["lods"] == ["preview", "standard", "high"]
    assert seen["preview"]["shown"] == "preview"
    assert seen["listed"] == "Model rejected"  # the broken replacement, uploaded last
    assert seen["buttonAfterReady"] == "Upload model"
    # Only the rejection and the next step: no "being prepared", nothing to resume.
    rejected = seen["rejected"]
    assert rejected["state"].startswith("Model rejected: "), rejected
    assert rejected["words"] == (
        "Correct the model as the reason says, then choose the corrected file and upload it."
    ), rejected
    assert rejected["button"] == "Upload a corrected model", rejected
    _the_shopper_found_it(seen["shopper"], name, word, sku)
    _the_shopper_paged_through(seen["shopper"]["paged"], paged.category)
    key = f"uploads/{seller_sub}/{sku}/box.glb"
    assert boto3.client("s3").head_object(Bucket=_uploads(), Key=key)["ContentLength"] == size


def _the_shopper_found_it(shopper: dict[str, Any], name: str, word: str, sku: str) -> None:
    prefix = word[:6]
    assert shopper["expanded"] == "true"
    assert name in shopper["suggestion"]  # found by a prefix, as typed
    # Debounced: fewer requests than the keystrokes that could each ask (texts of two
    # characters and more), the last one for the whole text.
    typed = shopper["typed"]
    assert 1 <= len(typed["requests"]) < typed["chars"] - SUGGEST_MIN_CHARS + 1, typed
    assert typed["requests"][-1] == f"?q={prefix}&limit=6"
    assert shopper["activeIsMine"] is True  # ArrowDown: aria-activedescendant on the option
    assert shopper["afterEscape"] == {"expanded": "false", "hidden": True, "text": prefix}
    assert shopper["afterSecondEscape"] == ""
    assert shopper["resultsUrl"] == f"/search?q={prefix}"
    assert shopper["heading"] == f"Results for “{prefix}”"
    assert "Decor (1)" in shopper["categories"]  # the label, as product pages name it
    assert shopper["filteredUrl"] == f"?q={prefix}&category=decor&in_stock=true"
    assert shopper["chosenCategory"] == "Decor (1)"
    assert shopper["bandOfMine"] == "€25.00 to €50.00 (1)"
    # The band's top is exclusive, the API's max_price inclusive.
    assert shopper["bandUrl"] == (
        f"?q={prefix}&category=decor&min_price=2500&max_price=4999&in_stock=true&sort=price"
    )
    assert shopper["linkedBox"] == prefix
    assert f"No products match “{word}” with these filters." in shopper["empty"]
    assert "q must be up to 200 characters" in shopper["error"]
    assert shopper["retry"] is True
    assert shopper["productPath"] == f"/products/{sku}"


def _the_shopper_paged_through(paged: dict[str, Any], category: str) -> None:
    assert paged["first"] == SEARCH_PAGE_DEFAULT
    assert paged["moreShown"] is True
    expected = {f"{category}-p{n}" for n in range(PAGED_PRODUCTS)}
    assert len(paged["all"]) == PAGED_PRODUCTS and set(paged["all"]) == expected  # no repeats
    assert paged["count"] == f"Showing {PAGED_PRODUCTS} results."


def _uploads() -> str:
    import os

    return os.environ[env.UPLOADS_BUCKET]
