"""Unit tests of the program: the `program` fixture lives in tests/conftest.py."""

from __future__ import annotations

from tests.programs import ProgramFactory

__all__ = ["ProgramFactory"]
