"""The payout ledger and the audit trail are append-only in the database itself (F13), on SQLite and
PostgreSQL: the base manager, raw SQL and TRUNCATE are refused; only retention pruning deletes audit
entries, and never younger than the six-month floor; an account that paid cannot be deleted."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from fuhua.core.append_only import append_only_models, installed_triggers, pruning
from fuhua.core.models import ObjectChange
from fuhua.policies import services
from fuhua.policies.models import Entitlement, Payout
from fuhua.policies.testing import suzhou, suzhou_regions

pytestmark = pytest.mark.django_db
CODE = "suzhou-2020-carriers"
BANK = {"account_name": "苏州纳米科技发展有限公司", "bank_name": "中国银行", "account_number": "6222021102003456"}


@pytest.fixture
def paid(world):
    suzhou_regions(world)
    services.sync_policies()
    suzhou(world)
    services.run_entitlements(world.users.bureau_sz, CODE, datetime.date(2025, 6, 30))
    for e in Entitlement.objects.filter(policy__code=CODE):
        services.confirm(world.users.operator_a, e, BANK)
    services.pay(world.users.bureau_sz, CODE, 2025)
    return Payout.objects.order_by("pk").first()


def _refused(sql_or_callable, params=()):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        if callable(sql_or_callable):
            sql_or_callable()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql_or_callable, params)


def _audit_entry(age_days: float) -> ObjectChange:
    from django.contrib.contenttypes.models import ContentType

    return ObjectChange.objects.create(time=timezone.now() - datetime.timedelta(days=age_days), username="x",
                                       source="test", action="update", object_id="1", object_repr="x",
                                       content_type=ContentType.objects.get_for_model(Payout))


def test_the_ledger_and_the_audit_trail_are_declared_and_have_triggers():
    declared = {model._meta.db_table: column for model, column in append_only_models()}
    assert declared == {"policies_payout": None, "vouchers_settlemententry": None, "core_objectchange": "time",
                        "accounts_securityevent": "time"}
    triggers = installed_triggers()
    expected = (["append_only_row", "append_only_truncate"] if connection.vendor == "postgresql"
                else ["append_only_delete", "append_only_update"])
    for table in declared:
        assert [name.removeprefix(f"{table}_") for name in triggers[table]] == expected


def test_ledger_rows_cannot_be_updated_or_deleted_past_the_model(paid):
    _refused(lambda: Payout._base_manager.filter(pk=paid.pk).update(amount_fen=1))
    _refused(lambda: Payout._base_manager.filter(pk=paid.pk).delete())
    _refused("UPDATE policies_payout SET amount_fen = 1 WHERE id = %s", [paid.pk])
    _refused("DELETE FROM policies_payout WHERE id = %s", [paid.pk])
    _refused("DELETE FROM policies_payout")
    paid.refresh_from_db()
    assert Payout.objects.count() == 4 and paid.amount_fen > 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_the_ledger_and_the_audit_trail_cannot_be_truncated(paid):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: TRUNCATE reaches the trigger
    _refused("TRUNCATE policies_payout CASCADE")
    _refused("TRUNCATE core_objectchange")
    assert Payout.objects.count() == 4


def test_the_user_who_paid_cannot_be_deleted(paid):
    payer = paid.created_by
    assert payer is not None
    with pytest.raises(ProtectedError), transaction.atomic():
        payer.delete()
    assert Payout.objects.filter(created_by=payer).count() == 4


def test_audit_entries_cannot_be_updated_or_deleted():
    entry = _audit_entry(age_days=1)
    _refused(lambda: ObjectChange.objects.filter(pk=entry.pk).update(username="someone else"))
    _refused(lambda: ObjectChange.objects.filter(pk=entry.pk).delete())
    _refused("UPDATE core_objectchange SET reason = 'rewritten' WHERE id = %s", [entry.pk])
    _refused("DELETE FROM core_objectchange WHERE id = %s", [entry.pk])
    old = _audit_entry(age_days=400)  # even an expired entry goes only through pruning
    _refused("DELETE FROM core_objectchange WHERE id = %s", [old.pk])
    assert ObjectChange.objects.filter(pk__in=[entry.pk, old.pk]).count() == 2


def test_pruning_deletes_only_rows_older_than_its_cutoff_and_never_younger_than_six_months():
    old, recent = _audit_entry(age_days=400), _audit_entry(age_days=100)
    too_recent_cutoff = timezone.now() - datetime.timedelta(days=30)  # below the 183-day floor
    with pytest.raises(DatabaseError, match="append-only"), pruning(too_recent_cutoff):
        ObjectChange.objects.filter(pk=old.pk)._raw_delete(connection.alias)
    with pytest.raises(DatabaseError, match="append-only"), pruning(timezone.now() - datetime.timedelta(days=200)):
        ObjectChange.objects.filter(pk=recent.pk)._raw_delete(connection.alias)  # younger than the cutoff
    with pruning(timezone.now() - datetime.timedelta(days=200)):
        assert ObjectChange.objects.filter(pk=old.pk)._raw_delete(connection.alias) == 1
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            ObjectChange.objects.filter(pk=recent.pk).update(reason="x")  # pruning never allows an update
    assert list(ObjectChange.objects.filter(pk__in=[old.pk, recent.pk]).values_list("pk", flat=True)) == [recent.pk]


def test_deleting_an_account_leaves_its_audit_entries_untouched(world):
    user = get_user_model().objects.create_user("leaver", password="x")
    entry = ObjectChange.objects.create(user=user, username="leaver", source="test", action="update",
                                        object_id="1", object_repr="x",
                                        content_type=_audit_entry(1).content_type)
    user_id = user.pk
    user.delete()
    entry.refresh_from_db()
    assert (entry.user_id, entry.username) == (user_id, "leaver")
