"""Audit signals per audited model, and pruning in batches without loading rows (NetBox #4354).

The 1,000,000-row figures (time and peak memory, old approach beside the new) are measured by
benchmarks/audit_prune.py; here: the shape of the work, which does not depend on the machine."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models.deletion import Collector
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from fuhua.core.audit import audited_models, prune_audit_trail
from fuhua.core.models import ObjectChange, PeriodicTaskState
from fuhua.registry.models import Carrier


def test_audit_handlers_are_connected_per_audited_model_only():
    for signal in (pre_save, post_save, pre_delete, post_delete):
        assert signal.has_listeners(Carrier)
        for model in (ObjectChange, Session, PeriodicTaskState):
            assert not signal.has_listeners(model), f"{signal} has a listener for {model._meta.label}"
    assert len(audited_models()) > 20
    assert m2m_changed.has_listeners(User.groups.through)  # auth.User is audited, with its groups


@pytest.mark.django_db
def test_deletes_of_unaudited_models_are_fast_deletes():
    # one DELETE statement, no rows loaded: what a handler connected for all senders prevented
    assert Collector(using="default").can_fast_delete(Session.objects.all())
    assert Collector(using="default").can_fast_delete(ObjectChange.objects.all())
    assert not Collector(using="default").can_fast_delete(Carrier.objects.all())  # audited: rows are recorded


def _expired(count: int, days: int = 400) -> None:
    content_type = ContentType.objects.get_for_model(Carrier)
    time = timezone.now() - datetime.timedelta(days=days)
    ObjectChange.objects.bulk_create(
        [ObjectChange(time=time, username="x", source="test", action="update", content_type=content_type,
                      object_id=str(i), object_repr="x", before={"name": "a" * 50}, after={"name": "b" * 50})
         for i in range(count)], batch_size=1000)


def _prune_statements(batch_size: int) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        deleted = prune_audit_trail(batch_size=batch_size)
    return deleted, [q["sql"] for q in queries.captured_queries if "core_objectchange" in q["sql"]]


@pytest.mark.django_db
@override_settings(AUDIT_RETENTION_DAYS=365)
def test_pruning_deletes_in_batches_without_loading_rows():
    _expired(2_000)
    _expired(30, days=10)  # within the retention period: kept
    deleted, statements = _prune_statements(batch_size=500)
    assert deleted == 2_000
    # 4 full batches and the empty one that ends the loop; each a single DELETE with a bounded subquery
    assert len(statements) == 5
    for sql in statements:
        assert sql.startswith("DELETE FROM") and "LIMIT 500" in sql, sql
        assert '"before"' not in sql and '"after"' not in sql  # no row is read into Python
    assert ObjectChange.objects.filter(username="x").count() == 30


@pytest.mark.django_db
@override_settings(AUDIT_RETENTION_DAYS=365)
def test_statements_per_batch_do_not_depend_on_the_number_of_rows():
    _expired(1_000)
    small = _prune_statements(batch_size=250)
    _expired(4_000)
    large = _prune_statements(batch_size=1_000)
    assert (small[0], large[0]) == (1_000, 4_000)
    assert len(small[1]) == len(large[1]) == 5  # the same statements for 4x the rows at 4x the batch
