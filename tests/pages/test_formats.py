"""The server writes prices and categories as the storefront writes them (tests/fixtures/
formats.json, which storefront/tests/unit/format.test.ts holds formatMoney and categoryLabel
to): a page the storefront takes over keeps the server's text, so one convention or the
shopper sees two."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handlers.cart.products.categories import CATEGORIES
from handlers.pages.html import category_title
from handlers.shared.money import SHOP_CURRENCY, SHOP_LOCALE, decimal_price, shown_price

FORMATS = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "formats.json").read_text(encoding="utf-8")
)


def test_the_fixture_is_of_the_shop_locale_and_names_every_managed_category() -> None:
    assert (FORMATS["locale"], FORMATS["currency"]) == (SHOP_LOCALE, SHOP_CURRENCY)
    assert set(CATEGORIES) <= {slug for slug, _ in FORMATS["categories"]}


@pytest.mark.parametrize(("minor", "currency", "shown"), FORMATS["prices"])
def test_a_price_is_shown_as_the_storefront_shows_it(minor: int, currency: str, shown: str) -> None:
    assert shown_price(minor, currency) == shown


@pytest.mark.parametrize(("slug", "label"), FORMATS["categories"])
def test_a_category_is_shown_by_the_storefront_label(slug: str, label: str) -> None:
    assert category_title(slug) == label


def test_schema_org_keeps_the_plain_decimal() -> None:
    assert (decimal_price(3450, "EUR"), decimal_price(500, "JPY")) == ("34.50", "500")
