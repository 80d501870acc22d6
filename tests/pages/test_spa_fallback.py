"""The SPA fallback (components/edge/spa_fallback.js), run by node as the edge runs JavaScript:
the storefront's own routes become /index.html, files and other behaviours' prefixes pass.

Event shape (cloudfront-js-2.0): request.uri without the query string, which is the separate
request.querystring object ("CloudFront Functions event structure", Amazon CloudFront Developer
Guide). Size: "Maximum function size 10 KB" ("Quotas on CloudFront Functions",
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

from components.edge.distribution import FUNCTION_RUNTIME, SPA_FALLBACK_FUNCTION

MAX_FUNCTION_BYTES = 10 * 1024
SHELL = "/index.html"
QUERY = {"q": {"value": "helmet"}}
TABLE: list[tuple[str, str]] = [
    ("/", SHELL),
    ("/products/HELMET-1", SHELL),
    ("/cart", SHELL),
    ("/search", SHELL),
    ("/admin/product/HELMET-1", SHELL),
    ("/categories/helmets", SHELL),
    ("/static/app.123.js", "/static/app.123.js"),
    ("/favicon.ico", "/favicon.ico"),
    ("/robots.txt", "/robots.txt"),
    ("/sitemap.xml", "/sitemap.xml"),
    ("/index.html", "/index.html"),
    ("/api/health", "/api/health"),
    ("/assets/HELMET-1/manifest", "/assets/HELMET-1/manifest"),
]


def run_edge(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node is not None, "node is needed to run the CloudFront Function"
    script = (
        SPA_FALLBACK_FUNCTION.read_text()
        + "\nconst events = JSON.parse(process.argv[1]);"
        + "\nconsole.log(JSON.stringify(events.map((e) => handler(e))));"
    )
    done = subprocess.run(
        [node, "-e", script, json.dumps(events)], capture_output=True, text=True, check=True
    )
    return list(json.loads(done.stdout))


def test_storefront_routes_get_the_shell_and_files_pass() -> None:
    events = [{"request": {"uri": uri, "querystring": {}, "headers": {}}} for uri, _ in TABLE]
    assert [r["uri"] for r in run_edge(events)] == [want for _, want in TABLE]


def test_the_query_string_is_kept() -> None:
    (request,) = run_edge([{"request": {"uri": "/search", "querystring": QUERY, "headers": {}}}])
    assert (request["uri"], request["querystring"]) == (SHELL, QUERY)


def test_within_the_cloudfront_functions_limits() -> None:
    assert FUNCTION_RUNTIME == "cloudfront-js-2.0"
    assert len(SPA_FALLBACK_FUNCTION.read_bytes()) <= MAX_FUNCTION_BYTES
