"""Cognito groups the pool defines (components/identity.py) and the services act on."""

from __future__ import annotations

from typing import Final

# Staff with access to the admin API: in tokens only after a TOTP sign-in (handlers/identity).
ADMIN_GROUP: Final = "admins"
# Sellers: the admin product API, limited to the products they own (their sub is the seller).
SELLER_GROUP: Final = "sellers"
