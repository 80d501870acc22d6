"""The page renderer as an ASGI app (Starlette): what the web tier runs behind each cell's ALB
(Hypercorn, `hypercorn 'handlers.pages.app:from_env()'`) and what the local platform mounts.

    GET /, /index.html     the product grid (CloudFront asks for its root object, /index.html,
                           when a viewer asks for /; the canonical URL stays /)
    GET /products/<sku>    a product (404 page for an unknown or inactive SKU)
    GET /categories/<slug> the products of a category (404 page when it has none)
    GET /sitemap.xml, /robots.txt
    GET /healthz           renders the grid (catalog read included): the ALB's target health

Pages are cached briefly at the edge and served stale while CloudFront revalidates
(PAGE_CACHE_CONTROL); the catalog is read from DynamoDB, manifests from S3, stock from
PostgreSQL when a database URL is set, all through the standard AWS environment variables.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import boto3
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from handlers.pages import html
from handlers.pages.assets import ManifestReader, PageAssets
from handlers.pages.hints import ACCEPT_CH, chosen_lod
from handlers.shared import env
from handlers.shared.catalog import CATEGORY_PATTERN, Catalog, Product, ProductPage
from handlers.shared.limits import MAX_CATEGORIES
from handlers.shared.routes import FIRST_LOD_HEADER, INDEX_DOCUMENT
from handlers.shared.variants import line_sku

# 60 s fresh at the edge and in browsers, then up to 5 min served stale while revalidating
# (RFC 5861; CloudFront honours stale-while-revalidate since 2023).
PAGE_CACHE_CONTROL: Final = "public, max-age=60, stale-while-revalidate=300"
MISSING_CACHE_CONTROL: Final = "public, max-age=30"
HTML: Final = "text/html; charset=utf-8"
# The grid and a category page show the newest this many (one Query of the by-status indexes);
# the rest are reached through search, the categories and the sitemap.
GRID_PRODUCTS: Final = 48
# sitemaps.org: at most 50,000 URLs in one sitemap file (the grid and the categories are in it
# too); the index is read this many items a Query.
SITEMAP_MAX_URLS: Final = 50_000
SITEMAP_MAX_PRODUCTS: Final = SITEMAP_MAX_URLS - 1 - MAX_CATEGORIES
SITEMAP_QUERY_PAGE: Final = 1000
# The storefront's own routes (storefront/src/router.ts) that have nothing to render here.
SHELL_ONLY_PATHS: Final = (
    "/cart",
    "/account",
    "/sign-up",
    "/reset",
    "/checkout/{order_id}",
    "/orders/{order_id}",
    "/search",
    "/admin",
    "/admin/new",
    "/admin/product/{sku}",
)
StockOf = Callable[[str], int | None]


@dataclass
class PageSource:
    """Where pages come from: the catalog, the manifests and (optionally) stock."""

    catalog: Catalog
    manifests: ManifestReader
    stock_of: StockOf | None = None

    def assets(self, product: Product) -> PageAssets | None:
        if product.asset_status != "READY" or product.manifest_key is None:
            return None
        return self.manifests.assets(product.manifest_key)

    def in_stock(self, product: Product) -> bool:
        if not product.active:
            return False
        if self.stock_of is None:
            return True  # unknown stock: the cart checks at checkout
        # A product sold in variants is in stock when one of them is (each has its own row).
        skus = [line_sku(product.sku, v.key) for v in product.variants] or [product.sku]
        levels = [self.stock_of(sku) for sku in skus]
        return any(on_hand is None or on_hand > 0 for on_hand in levels)


def _html(body: str, status: int = 200) -> Response:
    cache = PAGE_CACHE_CONTROL if status == 200 else MISSING_CACHE_CONTROL
    return Response(body, status, media_type=HTML, headers={"Cache-Control": cache})


@dataclass
class Pages:
    source: PageSource
    shell: html.Shell
    site: html.Site | None = None  # None: the request's own origin (locally)

    def app(self) -> Starlette:
        async def no_route(request: Request, error: Exception) -> Response:
            page = self.not_found(request)
            return page if page is not None else Response("Not Found", 404, media_type="text/plain")

        return Starlette(routes=self.routes(), exception_handlers={404: no_route})

    def not_found(self, request: Request) -> Response | None:
        """The 404 page for a browser's navigation to a path the site does not have (on the web
        tier and locally alike), noindex; None for any other client, whose origin answers it
        its own way (locally a problem document). The API never comes here."""
        if "text/html" not in request.headers.get("accept", ""):
            return None
        path = request.url.path
        page = html.not_found_page(self.shell, self._site(request), path, "No such page.")
        return _html(page, 404)

    def routes(self) -> list[Route]:
        return [
            Route("/", self.grid, methods=["GET", "HEAD"]),
            Route("/" + INDEX_DOCUMENT, self.grid, methods=["GET", "HEAD"]),
            Route("/products/{sku}", self.product, methods=["GET", "HEAD"]),
            Route("/categories/{slug}", self.category, methods=["GET", "HEAD"]),
            Route("/sitemap.xml", self.sitemap, methods=["GET", "HEAD"]),
            Route("/robots.txt", self.robots, methods=["GET", "HEAD"]),
            Route("/healthz", self.health, methods=["GET", "HEAD"]),
            *(Route(path, self.shell_only, methods=["GET", "HEAD"]) for path in SHELL_ONLY_PATHS),
        ]

    async def shell_only(self, request: Request) -> Response:
        """A page only the storefront draws (the shopper's own cart, account, orders): the shell
        as it is, never cached at the edge."""
        return Response(
            self.shell.index_html, media_type=HTML, headers={"Cache-Control": "no-store"}
        )

    def _site(self, request: Request) -> html.Site:
        return self.site or html.Site(str(request.base_url).rstrip("/"))

    def _grid(self, site: html.Site, path: str, heading: str, page: ProductPage) -> str:
        more = page.after is not None
        return html.grid_page(
            self.shell, site, path, heading, page.products, self.source.assets, more
        )

    def _newest(self, category: str | None) -> ProductPage:
        return self.source.catalog.active_page(category, GRID_PRODUCTS)

    async def grid(self, request: Request) -> Response:
        page = await run_in_threadpool(self._newest, None)
        return _html(
            await run_in_threadpool(self._grid, self._site(request), "/", "Products", page)
        )

    async def category(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        chosen = (
            await run_in_threadpool(self._newest, slug)
            if CATEGORY_PATTERN.fullmatch(slug)
            else None
        )
        site = self._site(request)
        if chosen is None or not chosen.products:
            path = html.category_path(slug)
            return _html(html.not_found_page(self.shell, site, path, "No such category."), 404)
        page = await run_in_threadpool(
            self._grid, site, html.category_path(slug), html.category_title(slug), chosen
        )
        return _html(page)

    def _product_page(self, site: html.Site, sku: str, first_lod: str) -> tuple[str, int]:
        product = self.source.catalog.product(sku)
        # A variant's line SKU is bought from its product's page, not a page of its own.
        if product is None or not product.active or product.variant is not None:
            path = html.product_path(sku)
            return html.not_found_page(self.shell, site, path, "No such product."), 404
        assets = self.source.assets(product)
        in_stock = self.source.in_stock(product)
        return html.product_page(self.shell, site, product, assets, in_stock, first_lod), 200

    async def product(self, request: Request) -> Response:
        first_lod = chosen_lod(request.headers)
        page, status = await run_in_threadpool(
            self._product_page, self._site(request), request.path_params["sku"], first_lod
        )
        reply = _html(page, status)
        reply.headers["Accept-CH"] = ACCEPT_CH
        reply.headers["Vary"] = FIRST_LOD_HEADER  # the edge's choice is in the cache key
        return reply

    async def sitemap(self, request: Request) -> Response:
        products = await run_in_threadpool(self._sitemap_products)
        body = html.sitemap(self._site(request), products)
        headers = {"Cache-Control": PAGE_CACHE_CONTROL}
        return Response(body, media_type="application/xml", headers=headers)

    def _sitemap_products(self) -> list[Product]:
        """Every active product, newest first, a page of the index at a time, as many as one
        sitemap file may name."""
        products: list[Product] = []
        after = None
        while len(products) < SITEMAP_MAX_PRODUCTS:
            page = self.source.catalog.active_page(None, SITEMAP_QUERY_PAGE, after)
            products += page.products
            if page.after is None:
                break
            after = page.after
        return products[:SITEMAP_MAX_PRODUCTS]

    async def robots(self, request: Request) -> Response:
        headers = {"Cache-Control": PAGE_CACHE_CONTROL}
        return Response(html.robots(self._site(request)), media_type="text/plain", headers=headers)

    async def health(self, request: Request) -> Response:
        """The grid rendered end to end (catalog and manifests read): 200, or 503 saying why."""
        try:
            await self.grid(request)
        except Exception as error:  # the target is unhealthy; the ALB takes it out
            detail = f"the product grid cannot be rendered: {type(error).__name__}"
            return Response(
                detail, 503, media_type="text/plain", headers={"Cache-Control": "no-store"}
            )
        return Response("ok\n", media_type="text/plain", headers={"Cache-Control": "no-store"})


def stock_from_database(url: str) -> StockOf:
    """Stock read per page from PostgreSQL (the inventory table)."""
    import psycopg

    def stock_of(sku: str) -> int | None:
        with psycopg.connect(url, autocommit=True, connect_timeout=2) as conn:
            row = conn.execute("SELECT on_hand FROM inventory WHERE sku = %s", (sku,)).fetchone()
        return None if row is None else int(row[0])

    return stock_of


def from_env() -> Starlette:
    """The ASGI app Hypercorn runs on the web tier."""
    return pages_from_env().app()


def pages_from_env() -> Pages:
    """The renderer configured as the web tier configures it (and the local platform)."""
    shell = html.Shell(Path(os.environ[env.STOREFRONT_DIR], "index.html").read_text("utf-8"))
    catalog = Catalog(boto3.client("dynamodb"), os.environ[env.CATALOG_TABLE])
    manifests = ManifestReader(boto3.client("s3"), os.environ[env.ASSETS_BUCKET])
    database = os.environ.get(env.DATABASE_URL)
    source = PageSource(catalog, manifests, stock_from_database(database) if database else None)
    origin = os.environ.get(env.SITE_URL)
    return Pages(source, shell, html.Site(origin.rstrip("/")) if origin else None)
