"""Query-string parameters of the read routes (search, the product list): decoded once, unknown
ones refused, each bad value a 400 problem naming the parameter and what it allows."""

from __future__ import annotations

from urllib.parse import unquote_plus

from handlers.cart.api.problems import Problem, bad_request


def parameter_problem(name: str, allowed: str, got: str | None = None) -> Problem:
    shown = "" if got is None else f", not {got[:80]!r}"
    return bad_request(f"{name} must be {allowed}{shown}", parameter=name, allowed=allowed)


def decoded(raw: dict[str, str] | None, known: tuple[str, ...], route: str) -> dict[str, str]:
    """ALB hands query values over as sent (URL-encoded): decode them once here."""
    values = {unquote_plus(k): unquote_plus(v) for k, v in (raw or {}).items()}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise bad_request(
            f"unknown parameter {unknown[0]!r}: {route} takes {', '.join(known)}",
            parameter=unknown[0],
            allowed=", ".join(known),
        )
    return values


def page_limit(values: dict[str, str], default: int, maximum: int) -> int:
    text = values.get("limit", "")
    if text == "":
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= maximum:
        raise parameter_problem("limit", f"a whole number from 1 to {maximum}", text)
    return int(text)
