"""The one exception of lambda packaging."""

from __future__ import annotations


class ArtifactError(RuntimeError):
    """An artifact cannot be produced; the message says why and which command fixes it."""
