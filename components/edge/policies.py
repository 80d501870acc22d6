"""CloudFront cache, origin request and response headers policies of the distribution.

Managed policies are referenced by their fixed, documented ids (the same in every account), so
the program needs no lookup; the two policies CloudFront does not offer are created here.
"""

from __future__ import annotations

from typing import Final

import pulumi
import pulumi_aws as aws

from components.naming import global_name
from components.options import child
from handlers.shared.stripe_js import STRIPE_API_ORIGIN, STRIPE_FRAME_ORIGINS, STRIPE_JS_ORIGIN

# AWS managed policies (CloudFront Developer Guide, "Use managed cache policies" and
# "Use managed origin request policies").
CACHING_DISABLED: Final = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED: Final = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST: Final = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

YEAR_SECONDS: Final = 365 * 24 * 3600
HSTS_SECONDS: Final = 2 * YEAR_SECONDS

# What the storefront's 3D viewer and its payment step need, and nothing more:
# - 'wasm-unsafe-eval': the Draco and meshopt decoders are WebAssembly;
# - worker-src blob: three's DRACOLoader starts its decoder workers from a Blob URL;
# - img-src/connect-src blob: data:: GLTFLoader hands embedded textures and buffers to the
#   browser as blob: and data: URLs;
# - Stripe.js from js.stripe.com, its card Element and 3-D Secure frames, its calls to
#   api.stripe.com: the origins Stripe's security guide lists (handlers.shared.stripe_js);
# - everything else (scripts, styles, the API, /assets/*) is this one origin.
CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        f"script-src 'self' 'wasm-unsafe-eval' {STRIPE_JS_ORIGIN}",
        f"frame-src {' '.join(STRIPE_FRAME_ORIGINS)}",
        "worker-src 'self' blob:",
        "img-src 'self' blob: data:",
        f"connect-src 'self' blob: data: {STRIPE_API_ORIGIN}",
        "style-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "upgrade-insecure-requests",
    )
)
REFERRER_POLICY: Final = "strict-origin-when-cross-origin"


def immutable_assets_cache_policy(parent: pulumi.Resource) -> aws.cloudfront.CachePolicy:
    """Content-hashed assets: one cache key per path (no headers, cookies or query strings),
    kept for a year, compressed with gzip and brotli."""
    return aws.cloudfront.CachePolicy(
        global_name("edge", "assets-cache"),
        comment="shop3d content-hashed 3D assets: cached a year, keyed on the path only",
        min_ttl=YEAR_SECONDS,
        default_ttl=YEAR_SECONDS,
        max_ttl=YEAR_SECONDS,
        parameters_in_cache_key_and_forwarded_to_origin={
            "enable_accept_encoding_brotli": True,
            "enable_accept_encoding_gzip": True,
            "cookies_config": {"cookie_behavior": "none"},
            "headers_config": {"header_behavior": "none"},
            "query_strings_config": {"query_string_behavior": "none"},
        },
        opts=child(parent),
    )


def security_headers_policy(parent: pulumi.Resource) -> aws.cloudfront.ResponseHeadersPolicy:
    """HSTS, a CSP that fits the 3D viewer, nosniff, a referrer policy, no framing: added to
    every response, overriding what an origin sends."""
    return aws.cloudfront.ResponseHeadersPolicy(
        global_name("edge", "security-headers"),
        comment="shop3d security headers",
        security_headers_config={
            "strict_transport_security": {
                "access_control_max_age_sec": HSTS_SECONDS,
                "include_subdomains": True,
                "preload": True,
                "override": True,
            },
            "content_security_policy": {
                "content_security_policy": CONTENT_SECURITY_POLICY,
                "override": True,
            },
            "content_type_options": {"override": True},
            "referrer_policy": {"referrer_policy": REFERRER_POLICY, "override": True},
            "frame_options": {"frame_option": "DENY", "override": True},
        },
        opts=child(parent),
    )


# Product pages (handlers.pages): the origin's Cache-Control (60 s, stale-while-revalidate
# 300 s) decides; at most 5 minutes, so a price change shows within that.
PAGE_MAX_TTL_SECONDS: Final = 300


def page_cache_policy(parent: pulumi.Resource, first_lod_header: str) -> aws.cloudfront.CachePolicy:
    """Server-rendered pages: keyed on the path and the edge's first-LOD choice (the page
    preloads that LOD); no cookies or query strings (pages are the same for every shopper)."""
    return aws.cloudfront.CachePolicy(
        global_name("edge", "page-cache"),
        comment="shop3d product pages: the origin's short TTL, keyed on path and first LOD",
        min_ttl=0,
        default_ttl=60,
        max_ttl=PAGE_MAX_TTL_SECONDS,
        parameters_in_cache_key_and_forwarded_to_origin={
            "enable_accept_encoding_brotli": True,
            "enable_accept_encoding_gzip": True,
            "cookies_config": {"cookie_behavior": "none"},
            "headers_config": {
                "header_behavior": "whitelist",
                "headers": {"items": [first_lod_header]},
            },
            "query_strings_config": {"query_string_behavior": "none"},
        },
        opts=child(parent),
    )
