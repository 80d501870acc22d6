"""A search request once validated (handlers/cart/api/search.py builds it; the store runs it).
Free of psycopg, so parsing a request loads no database driver."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, Literal

Sort = Literal["relevance", "price", "newest"]
SORTS: Final[tuple[Sort, ...]] = ("relevance", "price", "newest")
_WORD: Final = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchQuery:
    """A validated search (handlers/cart/api/search.py parses the request into one)."""

    text: str = ""
    category: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool | None = None
    sort: Sort = "relevance"
    limit: int = 20
    # The last row of the previous page: its sort key and SKU.
    after: tuple[Any, str] | None = None

    @property
    def words(self) -> list[str]:
        return [w.lower() for w in _WORD.findall(self.text)]

    @property
    def effective_sort(self) -> Sort:
        """Relevance needs words to rank by; without them the newest come first."""
        return "newest" if self.sort == "relevance" and not self.words else self.sort


def tsquery_text(words: list[str]) -> str:
    """All words (AND), the last one a prefix: `'carbon' & 'hel':*`. Words are \\w+ only, so
    no quote or operator reaches to_tsquery."""
    terms = [f"'{w}'" for w in words]
    terms[-1] += ":*"
    return " & ".join(terms)
