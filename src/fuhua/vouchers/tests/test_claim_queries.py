"""The claim is a few cheap statements: with the firm's eligibility stored for the day, a claim reads the key,
the stored check and the limits in one statement, takes a slot and writes the voucher (and its audit row);
no rules-engine run, no per-row lookups. Counted without the transaction's own BEGIN/SAVEPOINT/COMMIT."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fuhua import testing
from fuhua.incubation.models import Incubation
from fuhua.vouchers import services
from fuhua.vouchers.models import EligibilityCheck, Voucher
from fuhua.vouchers.testing import open_batch

CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


def _statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if not q["sql"].lstrip().upper().startswith(CONTROL)]


def _grants_memoised(user):
    from fuhua.core.permissions import policy

    policy().grants_of(user)  # the API's token cache hands the view a user with its grants memoised


def test_a_claim_is_at_most_five_statements(vworld, v):
    # as the API hands it over (`claimable_batch`): the programme and its region with the batch
    batch = services.claimable_batch(open_batch(v.prog_a, 61).pk)
    user = vworld.users.firm_a
    services.precompute(v.prog_a)  # the stored set, as `setup --precompute` leaves it before a rush
    _grants_memoised(user)
    with CaptureQueriesContext(connection) as captured:
        result = services.claim(user, batch, "counted")
    assert result.ok, result.reason
    statements = _statements(captured)
    # the firm lock (PostgreSQL), the one read, the slot, the voucher, its audit row
    assert len(statements) <= 5, "\n".join(statements)
    assert not any("incubation" in s.lower() for s in statements)  # no engine run: the stored check is read
    assert not any(s.lstrip().upper().startswith('SELECT "REGISTRY_FIRM"') for s in statements)  # firm: grants
    with CaptureQueriesContext(connection) as captured:
        again = services.claim(user, batch, "counted")
    assert (again.replay, again.voucher.pk) == (True, result.voucher.pk)
    assert len(_statements(captured)) <= 3  # the firm lock (PostgreSQL), the read, the voucher
    assert Voucher.objects.filter(batch=batch, firm=vworld.firm_a).count() == 1


def test_a_firm_outside_the_stored_set_is_evaluated_on_the_spot(vworld, v):
    batch = open_batch(v.prog_a, 62)
    EligibilityCheck.objects.filter(firm=vworld.firm_a).delete()
    result = services.claim(vworld.users.firm_a, batch, "on-the-spot")
    assert result.ok, result.reason
    assert EligibilityCheck.objects.filter(firm=vworld.firm_a, programme=v.prog_a, eligible=True).count() == 1



def test_sold_out_is_answered_by_the_pick_itself(vworld, v):
    batch = services.claimable_batch(open_batch(v.prog_a, 63, vouchers=1).pk)
    late = testing.firm("苏州晚到科技有限公司", vworld.regions.sip)
    Incubation.objects.create(firm=late, carrier=vworld.carrier_a, status="incubating",
                              entered_on=datetime.date(2025, 1, 1))
    user = testing.make_user("late-firm", "firm", firm=late)
    services.precompute(v.prog_a)
    assert services.claim(vworld.users.firm_a, batch, "the-one").ok
    with CaptureQueriesContext(connection) as captured:
        result = services.claim(user, batch, "too-late")
    assert result.code == "sold_out", result
    # one statement on the slots: the pick found none free and none in flight (no second look for 'busy')
    assert sum("vouchers_slot" in s for s in _statements(captured)) == 1
    assert not Voucher.objects.filter(firm=late).exists()
