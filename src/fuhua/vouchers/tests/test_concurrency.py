"""The claim rush and redemption on PostgreSQL with real threads (one connection each): never oversold, never
a firm's limits exceeded, a key never claims twice, a voucher's order never redeemed twice.

SQLite serialises whole-database writes, so these run only on PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1/fuhua_h1 .venv/bin/pytest -n 0 src/fuhua/vouchers -k concurren
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from fuhua import testing
from fuhua.core.system import SYSTEM
from fuhua.incubation.models import Incubation
from fuhua.vouchers import services
from fuhua.vouchers.models import Redemption, Slot, Voucher
from fuhua.vouchers.testing import evidence_file, open_batch, voucher_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent claims need PostgreSQL row locks (SKIP LOCKED, advisory locks); "
                              "DATABASE_URL is not PostgreSQL"),
]


def _together(targets: list) -> list:
    """Run each callable in its own thread, released at the same moment; each thread has its own connection."""
    barrier, results, lock = threading.Barrier(len(targets)), [], threading.Lock()

    def run(target):
        try:
            barrier.wait()
            value = target()
        except Exception as exc:
            value = exc
        finally:
            connections.close_all()
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def _firms(world, n: int) -> list:
    users = []
    for i in range(n):
        f = testing.firm(f"苏州并发科技{i}有限公司", world.regions.sip)
        Incubation.objects.create(firm=f, carrier=world.carrier_a, status="incubating",
                                  entered_on=datetime.date(2025, 1, 1))
        users.append(testing.make_user(f"rush{i}", "firm", firm=f))
    return users


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_oversell(world):
    v = voucher_world(world)
    batch = open_batch(v.prog_a, 51, vouchers=5)
    users = _firms(world, 12)
    services.precompute(v.prog_a)
    results = _together([lambda u=u: services.claim(u, batch, "rush") for u in users])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    codes = sorted(r.code for r in results)
    assert codes.count("claimed") == 5 and set(codes) - {"claimed"} <= {"sold_out", "busy"}, codes
    assert Voucher.objects.filter(batch=batch).count() == 5
    assert Slot.objects.filter(batch=batch, taken=True).count() == 5
    assert len(set(Voucher.objects.filter(batch=batch).values_list("slot_id", flat=True))) == 5
    assert services.batch_budget(batch)["reconciles"]


@pytest.mark.django_db(transaction=True)
def test_one_firm_racing_itself_keeps_its_limits_and_its_keys(world):
    v = voucher_world(world)
    batch = open_batch(v.prog_a, 52, vouchers=20)
    [user] = _firms(world, 1)
    same_key = _together([lambda: services.claim(user, batch, "same")] * 6)
    assert not [r for r in same_key if isinstance(r, Exception)], same_key
    assert len({r.voucher.pk for r in same_key}) == 1 and sum(not r.replay for r in same_key) == 1
    distinct = _together([lambda k=k: services.claim(user, batch, f"k{k}") for k in range(8)])
    assert not [r for r in distinct if isinstance(r, Exception)], distinct
    # 30,000 held at most: the first voucher plus two more of 10,000; the rest refused by the limit
    assert sorted(r.code for r in distinct).count("claimed") == 2
    assert Voucher.objects.filter(firm__name="苏州并发科技0有限公司").count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_of_one_voucher_pay_once(world):
    v = voucher_world(world)
    batch = open_batch(v.prog_a, 53, vouchers=2)
    [user] = _firms(world, 1)
    voucher = services.claim(user, batch, "redeem").voucher
    order = services.place_order(user, voucher, v.marketplace.product_a)
    services.confirm_order(SYSTEM, order)
    services.add_evidence(SYSTEM, order, "报告", evidence_file())
    services.deliver(SYSTEM, order)
    order = services.accept(user, order)
    provider = world.users.provider
    results = _together([lambda: services.apply_redemption(provider, order)] * 4)
    assert sum(isinstance(r, Redemption) for r in results) == 1, results
    assert all(isinstance(r, Redemption | ValidationError) for r in results), results
    assert Redemption.objects.filter(order=order).count() == 1
    redemption = Redemption.objects.get(order=order)
    services.review(world.users.bureau_sz, [redemption], approve=True)
    paid = _together([lambda: services.settle(world.users.bureau_sz, [redemption])] * 3)
    assert sum(isinstance(r, list) for r in paid) == 1, paid
    assert services.batch_budget(batch)["paid"] == order.covered_fen


@pytest.mark.django_db(transaction=True)
def test_the_pick_tells_busy_from_sold_out_in_one_statement(world):
    # The last free slot locked by a claim in flight (another connection holds its row lock): the pick takes
    # nothing and answers busy; once that claim took it and committed, sold out. Neither needs a second query.
    v = voucher_world(world)
    batch = services.claimable_batch(open_batch(v.prog_a, 54, vouchers=1).pk)
    users = _firms(world, 2)
    services.precompute(v.prog_a)
    locked, release, answers = threading.Event(), threading.Event(), []

    def in_flight():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT id FROM vouchers_slot WHERE batch_id = %s FOR UPDATE", [batch.pk])
                locked.set()
                release.wait(60)
                cursor = connection.cursor()
                cursor.execute("UPDATE vouchers_slot SET taken = true WHERE batch_id = %s", [batch.pk])
        finally:
            connections.close_all()

    holder = threading.Thread(target=in_flight)
    holder.start()
    assert locked.wait(60)
    try:
        with CaptureQueriesContext(connection) as captured:
            answers.append(services.claim(users[0], batch, "while-locked"))
    finally:
        release.set()
        holder.join(60)
    assert answers[0].code == "busy", answers[0]
    assert sum("vouchers_slot" in q["sql"] for q in captured.captured_queries) == 1
    later = services.claim(users[1], batch, "after")
    assert later.code == "sold_out", later
    assert Voucher.objects.filter(batch=batch).count() == 0
