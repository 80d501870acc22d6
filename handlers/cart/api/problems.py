"""RFC 9457 problem details: every error the API returns says what was wrong and what is allowed."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"
_TYPE_BASE = "https://shop3d.example/problems/"


class Problem(Exception):
    """An error answered as a problem document; `slug` names its type URI."""

    def __init__(self, status: int, slug: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] = {}  # sent with the problem (e.g. a 415's Accept-Post)

    def body(self) -> dict[str, Any]:
        return {
            "type": _TYPE_BASE + self.slug,
            "title": HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }

    def json(self) -> str:
        return json.dumps(self.body())


def bad_request(detail: str, **extra: Any) -> Problem:
    return Problem(400, "bad-request", detail, **extra)


def invalid(detail: str, **extra: Any) -> Problem:
    return Problem(422, "validation-error", detail, **extra)


def unauthorized(detail: str) -> Problem:
    return Problem(401, "unauthorized", detail)


def not_found(detail: str) -> Problem:
    return Problem(404, "not-found", detail)


def conflict(detail: str, **extra: Any) -> Problem:
    return Problem(409, "conflict", detail, **extra)
