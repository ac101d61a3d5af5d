"""The security log (accounts.SecurityEvent) is append-only in the database like the audit trail, and the
scheduled pruning task deletes it on the same retention (FUHUA_AUDIT_RETENTION_DAYS), in batches."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from fuhua.accounts.models import SecurityEvent
from fuhua.core.append_only import installed_triggers
from fuhua.core.audit import prune_retained
from fuhua.core.tasks import prune_audit

pytestmark = pytest.mark.django_db


def _event(age_days: float, **fields) -> SecurityEvent:
    values = {"kind": "login_failed", "username": "x", "ip": "10.0.0.1"}
    values.update(fields)
    return SecurityEvent.objects.create(time=timezone.now() - datetime.timedelta(days=age_days), **values)


def _refused(sql_or_callable, params=()):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        if callable(sql_or_callable):
            sql_or_callable()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql_or_callable, params)


def test_security_events_cannot_be_updated_or_deleted():
    assert "accounts_securityevent" in installed_triggers()
    event, old = _event(1), _event(400)
    _refused(lambda: SecurityEvent.objects.filter(pk=event.pk).update(username="someone else"))
    _refused(lambda: SecurityEvent.objects.filter(pk=event.pk).delete())
    _refused("UPDATE accounts_securityevent SET ip = '10.9.9.9' WHERE id = %s", [event.pk])
    _refused("DELETE FROM accounts_securityevent WHERE id = %s", [old.pk])  # expired rows too, outside pruning
    assert SecurityEvent.objects.filter(pk__in=[event.pk, old.pk]).count() == 2


def test_deleting_an_account_leaves_its_security_events_untouched():
    user = get_user_model().objects.create_user("leaver", password="x")
    event = _event(1, user=user, username="leaver", kind="login")
    user_id = user.pk
    user.delete()
    event.refresh_from_db()
    assert (event.user_id, event.username) == (user_id, "leaver")


@override_settings(AUDIT_RETENTION_DAYS=200)
def test_the_scheduled_pruning_task_deletes_expired_security_events_in_batches():
    expired = [_event(400) for _ in range(5)] + [_event(201)]
    kept = [_event(199), _event(1)]
    with CaptureQueriesContext(connection) as queries:
        counts = prune_retained(batch_size=4)
    assert counts["accounts.SecurityEvent"] == 6
    deletes = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith("DELETE") and "accounts_securityevent" in q["sql"]]
    assert len(deletes) == 2 and all("LIMIT 4" in sql for sql in deletes)  # 4 + 2: no row loaded into Python
    assert not SecurityEvent.objects.filter(pk__in=[e.pk for e in expired]).exists()
    assert SecurityEvent.objects.filter(pk__in=[e.pk for e in kept]).count() == 2
    _event(300)
    assert prune_audit.call() == 1  # the task core's scheduler enqueues daily (core.prune_audit)
