"""Federation tests read the feed up to its head: on PostgreSQL a package ends at the last change older than
exchange.SETTLE_SECONDS (30 s, so that a transaction still open cannot commit an id below it later), which would
make these tests depend on how long ago their world was built. The tests write in one transaction at a time, so
every change is settled at once here; settled_position's own rule has its test in test_export.py."""

import pytest


@pytest.fixture(autouse=True)
def _settled_at_once(monkeypatch):
    from fuhua.federation import exchange

    monkeypatch.setattr(exchange, "SETTLE_SECONDS", 0)
