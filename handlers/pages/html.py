"""Product pages as HTML: the built storefront's index.html is the shell (its scripts, styles and
header), with the page's head tags and content put in, and the page's data embedded as JSON for
the storefront to take over from without fetching it again.

Everything from the catalog is escaped (html.escape with quotes) in text and attributes; JSON in
<script> is escaped by structured.script_json.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Final
from urllib.parse import quote

from handlers.pages.assets import POSTER_TYPES, PageAssets
from handlers.pages.structured import product_ld, script_json, social_tags
from handlers.shared.catalog import Product
from handlers.shared.money import shown_price

TITLE_TAG: Final = "<title>shop3d</title>"
OUTLET: Final = '<main id="outlet"></main>'
PAGE_DATA_ID: Final = "page-data"
BADGE: Final = {"READY": "3D", "PENDING": "3D soon", "REJECTED": "no 3D"}
POSTER_SIZES: Final = "(min-width: 40rem) 36rem, 100vw"
CARD_SIZES: Final = "(min-width: 40rem) 15rem, 100vw"
AssetsOf = Callable[[Product], PageAssets | None]


class ShellError(ValueError):
    """The storefront's index.html lacks a part pages are put into."""


def product_path(sku: str) -> str:
    return "/products/" + quote(sku, safe="")


def category_path(slug: str) -> str:
    return "/categories/" + quote(slug, safe="")


def category_title(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


@dataclass(frozen=True)
class Shell:
    index_html: str

    def __post_init__(self) -> None:
        for part in (TITLE_TAG, OUTLET, "</head>"):
            if self.index_html.count(part) != 1:
                raise ShellError(f"the storefront's index.html must contain {part!r} once")

    def page(self, head: str, main: str, data: dict[str, Any]) -> str:
        embedded = (
            f'<script type="application/json" id="{PAGE_DATA_ID}">{script_json(data)}</script>'
        )
        return (
            self.index_html.replace(TITLE_TAG, "")
            .replace("</head>", head + "\n  </head>")
            .replace(OUTLET, f'<main id="outlet">{main}</main>\n    {embedded}')
        )


@dataclass(frozen=True)
class Site:
    """The public origin ("https://shop.example.com", no trailing slash): canonical URLs."""

    origin: str

    def url(self, path: str) -> str:
        return self.origin + path


def _head(
    title: str,
    description: str,
    canonical: str,
    image: str | None,
    kind: str,
    extra: Sequence[str] = (),
) -> str:
    lines = [
        f"<title>{escape(title)}</title>",
        f'<meta name="description" content="{escape(description)}" />',
        f'<link rel="canonical" href="{escape(canonical)}" />',
    ]
    lines += [
        f'<meta {attr}="{name}" content="{escape(content)}" />'
        for attr, name, content in social_tags(title, description, canonical, image, kind)
    ]
    return "\n    ".join([*lines, *extra])


def _srcset(assets: PageAssets, fmt: str) -> str:
    return ", ".join(f"{escape(p.url)} {p.width}w" for p in assets.posters_of(fmt))


def poster_picture(assets: PageAssets | None, alt: str, sizes: str, eager: bool) -> str:
    """<picture> with one <source> per better format and an <img srcset> (the last format, the
    most widely decoded); '' when the manifest lists no poster."""
    if assets is None or not assets.formats:
        return ""
    *better, fallback = assets.formats
    sources = "".join(
        f'<source type="{POSTER_TYPES[f]}" srcset="{_srcset(assets, f)}" sizes="{sizes}" />'
        for f in better
    )
    largest = assets.posters_of(fallback)[-1]
    loading = 'fetchpriority="high" loading="eager"' if eager else 'loading="lazy"'
    return (
        f'<picture class="poster">{sources}<img src="{escape(largest.url)}"'
        f' srcset="{_srcset(assets, fallback)}" sizes="{sizes}" width="{largest.width}"'
        f' height="{largest.height}" alt="{escape(alt)}" {loading} decoding="async"'
        ' data-testid="poster" /></picture>'
    )


def _largest_image(site: Site, assets: PageAssets | None) -> str | None:
    if assets is None or not assets.formats:
        return None
    return site.url(assets.posters_of(assets.formats[-1])[-1].url)


def _card(product: Product, assets: PageAssets | None) -> str:
    badge = BADGE.get(product.asset_status, product.asset_status)
    return (
        f'<li class="card" data-testid="product-card" data-sku="{escape(product.sku)}">'
        f'<a href="{escape(product_path(product.sku))}" data-testid="product-link">'
        f"{poster_picture(assets, product.name, CARD_SIZES, eager=False)}"
        f'<span class="badge">{escape(badge)}</span><h2>{escape(product.name)}</h2>'
        f'<p class="description">{escape(product.description)}</p>'
        f'<p class="price">{escape(shown_price(product.price_minor, product.currency))}</p>'
        "</a></li>"
    )


def grid_page(
    shell: Shell,
    site: Site,
    path: str,
    heading: str,
    products: Sequence[Product],
    assets_of: AssetsOf,
    more: bool = False,
) -> str:
    """`more`: products follow the ones shown (the storefront offers to load them)."""
    description = f"{heading}: {len(products)} products you can turn in 3D before you buy."
    cards = "".join(_card(p, assets_of(p)) for p in products)
    body = f"<h1>{escape(heading)}</h1>" + (
        f'<ul class="grid" data-testid="product-list">{cards}</ul>'
        if products
        else '<p data-testid="products-empty">No products yet.</p>'
    )
    head = _head(f"{heading} · shop3d", description, site.url(path), None, "website")
    data = {
        "page": "products",
        "path": path,
        "products": [p.public() for p in products],
        "more": more,
    }
    return shell.page(head, body, data)


def _asset_note(product: Product, assets: PageAssets | None) -> str | None:
    if product.asset_status == "READY":
        return None if assets is not None else "The 3D model is missing."
    if product.asset_status == "PENDING":
        return "The 3D model is being prepared. Check back in a few minutes."
    return "No 3D model is available for this product."


def product_page(
    shell: Shell,
    site: Site,
    product: Product,
    assets: PageAssets | None,
    in_stock: bool,
    first_lod: str = "preview-512",
) -> str:
    """first_lod: one of handlers.pages.hints.CHOICES ("<lod>-<texture px>"), preloaded."""
    path = product_path(product.sku)
    canonical = site.url(path)
    note = _asset_note(product, assets)
    preloads = []
    if assets is not None and note is None:
        # The viewer's first two requests, started by the HTML parser instead of after the
        # script, its chunk and the manifest have arrived (fetch() reuses them: same mode).
        preloads = [
            f'<link rel="preload" as="fetch" href="{escape(url)}" crossorigin="anonymous" />'
            for url in (assets.manifest_url, assets.lod_url(first_lod.rsplit("-", 1)[0]))
            if url is not None
        ]
    ld = product_ld(product, canonical, site.origin, assets, in_stock)
    head = _head(
        f"{product.name} · shop3d",
        product.description or product.name,
        canonical,
        _largest_image(site, assets),
        "product",
        [*preloads, f'<script type="application/ld+json">{script_json(ld)}</script>'],
    )
    status = (
        f'<p class="viewer-status" data-testid="viewer-status">{escape(note)}</p>'
        if note is not None
        else ""
    )
    availability = "In stock" if in_stock else "Out of stock"
    category = (
        f'<p class="category"><a href="{escape(category_path(product.category))}">'
        f"{escape(category_title(product.category))}</a></p>"
        if product.category is not None
        else ""
    )
    body = (
        f'<article class="product" data-testid="product" data-sku="{escape(product.sku)}">'
        f'<div class="viewer" data-testid="viewer">'
        f"{poster_picture(assets, product.name, POSTER_SIZES, eager=True)}{status}</div>"
        f'<div class="details">{category}<h1>{escape(product.name)}</h1>'
        f'<p class="price" data-testid="product-price">'
        f"{escape(shown_price(product.price_minor, product.currency))}</p>"
        f'<p class="availability" data-testid="availability">{availability}</p>'
        f"<p>{escape(product.description)}</p>"
        '<button type="button" class="primary" data-testid="add-to-cart">Add to cart</button>'
        '<div class="feedback" data-testid="add-to-cart-status" aria-live="polite"></div>'
        "</div></article>"
    )
    data = {
        "page": "product",
        "path": path,
        "product": product.public(),
        "in_stock": in_stock,
        "first_lod": first_lod,
    }
    return shell.page(head, body, data)


def not_found_page(shell: Shell, site: Site, path: str, what: str) -> str:
    head = _head("Not found · shop3d", what, site.url(path), None, "website")
    head += '\n    <meta name="robots" content="noindex" />'
    body = f"<h1>Not found</h1><p>{escape(what)}</p>"
    return shell.page(head, body, {"page": "not-found", "path": path})


def sitemap(site: Site, products: Sequence[Product]) -> str:
    """sitemaps.org 0.9: the grid, each category and each product."""
    paths = ["/"]
    paths += sorted({category_path(p.category) for p in products if p.category is not None})
    paths += [product_path(p.sku) for p in products]
    urls = "".join(f"<url><loc>{escape(site.url(p))}</loc></url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )


def robots(site: Site) -> str:
    # The API, account and cart pages are for shoppers, not for indexes.
    return (
        "User-agent: *\nDisallow: /api/\nDisallow: /cart\nDisallow: /account\n"
        f"Sitemap: {site.url('/sitemap.xml')}\n"
    )
