"""Paging without COUNT(*): fetch one row more than a page to know if there is a next one.

`db.paginate()` counts every matching row on each view; at 100,000 rows that halved a list
page's throughput here. Pages here offer previous/next instead of a total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select

from .extensions import db
from .sql import written_limit

T = TypeVar("T")
MAX_PAGE = 10_000


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def page_number(raw: Any, maximum: int = MAX_PAGE) -> int:
    """A page number asked for, within 1..maximum; garbled is page 1. The default maximum
    bounds an OFFSET the list pages read through; pass a larger one where the pages are
    counted and a number past the end shows the last."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), maximum)


def paginate(
    query: Select[Any], raw_page: Any, per_page: int, *, scalars: bool = True
) -> Page[Any]:
    number = page_number(raw_page)
    limited = query.limit(written_limit(per_page + 1)).offset((number - 1) * per_page)
    rows = list(db.session.scalars(limited).unique() if scalars else db.session.execute(limited))
    return Page(
        items=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page
    )
