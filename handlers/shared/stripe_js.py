"""Where the browser's half of Stripe comes from, for the cart (which hands the URL to the
storefront) and the edge (whose Content-Security-Policy must let it in).

Stripe.js must be loaded from js.stripe.com, never bundled or self-hosted
(https://docs.stripe.com/js/including); its card Element and 3-D Secure run in frames from
js.stripe.com and hooks.stripe.com and talk to api.stripe.com, the origins Stripe's security
guide lists for a Content-Security-Policy (https://docs.stripe.com/security/guide#content-security-policy).
"""

from __future__ import annotations

from typing import Final

STRIPE_JS_URL: Final = "https://js.stripe.com/v3/"
STRIPE_JS_ORIGIN: Final = "https://js.stripe.com"
STRIPE_FRAME_ORIGINS: Final = ("https://js.stripe.com", "https://hooks.stripe.com")
STRIPE_API_ORIGIN: Final = "https://api.stripe.com"
