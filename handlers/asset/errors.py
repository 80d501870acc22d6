"""The one error type a bad upload raises: its message is shown to the seller as the reason."""

from __future__ import annotations


class AssetRejected(ValueError):
    """The upload is not a model the service accepts; the message says what and what is allowed."""
