"""The to-do inbox: work items that domain apps register per role, shown on the dashboard.

A higher app plugs its items in from its AppConfig.ready() (core imports no app):

    register_inbox_item("reports_to_review", _("Annual reports awaiting your review"), {Role.BUREAU},
                        count=lambda user, today: AnnualReport.objects.restrict(user).filter(...).count(),
                        url=lambda user, today: reverse("statistics:annualreport_list") + "?status=submitted")

`count` must be cheap (one COUNT query on a restricted queryset); `url` must open a list page with filter
parameters that page understands. Both receive the day the inbox is computed for, so tests and the demo
can fix "today". An item with a count of 0 is not shown.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Counter = Callable[[object, datetime.date], int]
Linker = Callable[[object, datetime.date], str]


@dataclass(frozen=True)
class InboxItem:
    key: str
    label: object  # a (lazy) translated string, or a callable (today) -> string
    roles: frozenset[str]
    count: Counter
    url: Linker
    order: int = 100

    def text(self, today: datetime.date) -> str:
        return str(self.label(today) if callable(self.label) else self.label)


@dataclass(frozen=True)
class InboxEntry:
    key: str
    label: str
    count: int
    url: str


_ITEMS: dict[str, InboxItem] = {}


def register_inbox_item(key: str, label, roles: Iterable[str], count: Counter, url: Linker, order: int = 100) -> None:
    """Add (or replace, by key) an inbox item shown to users holding one of `roles`."""
    _ITEMS[key] = InboxItem(key, label, frozenset(str(r) for r in roles), count, url, order)


def registered() -> list[InboxItem]:
    return sorted(_ITEMS.values(), key=lambda i: (i.order, i.key))


def inbox(user, roles: set[str], today: datetime.date) -> list[InboxEntry]:
    """The items for a user holding `roles`, with their counts; items with nothing to do are left out."""
    entries = []
    for item in registered():
        if not item.roles & roles:
            continue
        n = item.count(user, today)
        if n:
            entries.append(InboxEntry(item.key, item.text(today), n, item.url(user, today)))
    return entries
