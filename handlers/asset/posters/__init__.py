"""Posters and thumbnails of READY products, rendered by the storefront's own viewer code."""
