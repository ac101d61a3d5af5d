"""Freshness per source beside the pages that show federated data (one network, issue 16 item 6).

On the registry, incubation, mentoring, statistics, evaluation and steering pages, and the shared figures, an
instance holding data of other instances says whose and how fresh: "江苏省: synced 2 hours ago". One query
(the sources with their peers), only on those pages and only once there is federated data.
"""

from __future__ import annotations

from .services import freshness

FEDERATED_PAGES = ("/registry/", "/incubation/", "/mentoring/", "/statistics/", "/evaluation/", "/steering/",
                   "/network/figures/")


def network_freshness(request) -> dict:
    if not request.path.startswith(FEDERATED_PAGES) or not getattr(request, "user", None) \
            or not request.user.is_authenticated:
        return {}
    sources = freshness()
    return {"network_freshness": sources} if sources else {}
