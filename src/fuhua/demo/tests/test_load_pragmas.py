"""The demo load's SQLite pragmas apply only while it runs and only outside an open transaction."""

import pytest
from django.db import connection, transaction

from fuhua.demo.loader import SQLITE_LOAD_PRAGMAS, _fast_sqlite

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pragmas")


def _pragmas() -> dict:
    with connection.cursor() as cursor:
        return {name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in SQLITE_LOAD_PRAGMAS}


@pytest.mark.django_db(transaction=True)
def test_pragmas_set_during_the_load_and_restored_after():
    before = _pragmas()
    with _fast_sqlite():
        during = _pragmas()
    assert during["synchronous"] == 0
    assert during["cache_size"] == SQLITE_LOAD_PRAGMAS["cache_size"]
    assert during["journal_mode"].upper() == "MEMORY"
    assert _pragmas() == before
    assert before["cache_size"] != SQLITE_LOAD_PRAGMAS["cache_size"]


@pytest.mark.django_db(transaction=True)
def test_pragmas_untouched_inside_an_open_transaction():
    before = _pragmas()
    with transaction.atomic(), _fast_sqlite():
        assert _pragmas() == before
