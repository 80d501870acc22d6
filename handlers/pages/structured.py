"""The machine-readable parts of a page: JSON-LD (schema.org Product with offers and the 3D model
through subjectOf), Open Graph and Twitter card tags, and JSON embedded safely in <script>.

Sources: https://schema.org/Product, https://schema.org/3DModel (encodingFormat
model/gltf-binary), https://ogp.me/, Twitter/X card markup (twitter:card summary_large_image).
"""

from __future__ import annotations

import json
from typing import Any

from handlers.pages.assets import PageAssets
from handlers.shared.catalog import Product
from handlers.shared.money import decimal_price

SCHEMA_AVAILABILITY = {True: "https://schema.org/InStock", False: "https://schema.org/OutOfStock"}


def script_json(document: Any) -> str:
    """JSON for inside a <script> element: '<', '>' and '&' as \\u escapes, so no product text
    can close the element or open a comment ("</script>", "<!--"); U+2028/2029 escaped too."""
    text = json.dumps(document, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def product_ld(
    product: Product, url: str, site: str, assets: PageAssets | None, in_stock: bool
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "url": url,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": decimal_price(product.price_minor, product.currency),
            "priceCurrency": product.currency,
            "availability": SCHEMA_AVAILABILITY[in_stock],
        },
    }
    if product.category is not None:
        document["category"] = product.category
    if assets is not None:
        largest = [p for f in assets.formats for p in assets.posters_of(f)[-1:]]
        if largest:
            document["image"] = [site + p.url for p in largest]
        if assets.model_url is not None:
            document["subjectOf"] = {
                "@type": "3DModel",
                "name": product.name,
                "encodingFormat": "model/gltf-binary",
                "contentUrl": site + assets.model_url,
            }
    return document


def social_tags(
    title: str, description: str, url: str, image: str | None, kind: str
) -> list[tuple[str, str, str]]:
    """(attribute, name, content) of each <meta>: og:* use property=, twitter:* use name=."""
    tags = [
        ("property", "og:type", kind),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("property", "og:site_name", "shop3d"),
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image is not None:
        tags += [("property", "og:image", image), ("name", "twitter:image", image)]
    return tags
