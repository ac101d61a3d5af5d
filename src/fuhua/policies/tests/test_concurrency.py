"""Two payment runs at the same time on PostgreSQL: each entitlement is paid once, the budget holds.

Real concurrency needs real row locks (`select_for_update` on the policy's budget row) and two
connections; SQLite serialises whole-database writes instead, so these tests run only on PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuhua .venv/bin/python -m pytest src/fuhua/policies -k concurren
"""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from fuhua.policies import services
from fuhua.policies.models import Budget, Entitlement, Payout
from fuhua.policies.testing import suzhou, suzhou_regions

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent payment runs need PostgreSQL row locks; DATABASE_URL is not PostgreSQL"),
]
CODE = "suzhou-2020-carriers"
BANK = {"account_name": "苏州纳米科技发展有限公司", "bank_name": "中国银行", "account_number": "6222021102003456"}


def _ready(world, budget_fen: int | None = None) -> None:
    suzhou_regions(world)
    services.sync_policies()
    suzhou(world)
    if budget_fen is not None:
        Budget.objects.filter(policy__code=CODE, year=2025).update(amount_fen=budget_fen)
    services.run_entitlements(world.users.bureau_sz, CODE, datetime.date(2025, 6, 30))
    for e in Entitlement.objects.filter(policy__code=CODE):
        services.confirm(world.users.operator_a, e, BANK)


def _together(target, n: int = 2) -> list:
    """Run `target` in n threads released at the same moment; each thread has its own connection."""
    barrier, results = threading.Barrier(n), []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_payment_runs_at_once_pay_each_entitlement_once(world):
    _ready(world)
    results = _together(lambda: services.pay(world.users.bureau_sz, CODE, 2025))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(len(r.paid) for r in results) == [0, 4]  # the second waited for the lock, then found nothing
    assert Payout.objects.count() == 4
    assert sum(Payout.objects.values_list("amount_fen", flat=True)) == 140_000_000


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_never_overspend_the_budget(world):
    _ready(world, budget_fen=70_000_000)
    Entitlement.objects.filter(policy__code=CODE).update(status="confirmed")  # as if the queue were ignored
    _together(lambda: services.pay(world.users.bureau_sz, CODE, 2025), n=3)
    assert sum(Payout.objects.values_list("amount_fen", flat=True)) <= 70_000_000


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_second_payment_and_any_update(world):
    _ready(world)
    e = Entitlement.objects.filter(policy__code=CODE).first()

    def insert():
        with transaction.atomic():
            return Payout.objects.create(policy=e.policy, carrier=e.carrier, entitlement=e, key=e.key, group=e.group,
                                         period=2025, budget_year=2025, region_code=e.carrier.region_id,
                                         amount_fen=e.amount_fen, paid_on=datetime.date(2025, 7, 1))

    results = _together(insert)
    assert sum(isinstance(r, Payout) for r in results) == 1
    assert sum(isinstance(r, IntegrityError) for r in results) == 1
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE policies_payout SET amount_fen = 1")
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM policies_payout")
