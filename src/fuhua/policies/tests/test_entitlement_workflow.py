"""Entitlements move only through ENTITLEMENT_WORKFLOW: who may take each step (403), from which state (409),
with what input (422); a run moves the budget queue in bulk, each move audited; the system actor is explicit."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from fuhua.core.exceptions import Conflict
from fuhua.core.models import ObjectChange
from fuhua.core.system import SYSTEM
from fuhua.core.workflow import CONFLICT, FORBIDDEN, INVALID
from fuhua.policies import services
from fuhua.policies.models import Budget, Entitlement, EntitlementStatus
from fuhua.policies.services.runs import require
from fuhua.policies.testing import suzhou
from fuhua.policies.workflow import ENTITLEMENT_WORKFLOW

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 6, 30)
SZ2020 = "suzhou-2020-carriers"
BANK = {"account_name": "苏州纳米科技发展有限公司", "bank_name": "中国银行苏州工业园区支行",
        "account_number": "6222021102003456789"}


@pytest.fixture
def proposed(world):
    services.sync_policies()
    suzhou(world)
    services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    return Entitlement.objects.filter(policy__code=SZ2020, carrier=world.carrier_a).get()


def test_can_distinguishes_not_allowed_from_not_possible_now(world, proposed):
    operator, bureau, other = world.users.operator_a, world.users.bureau_sz, world.users.operator_b
    assert ENTITLEMENT_WORKFLOW.can(operator, proposed, "confirm")
    assert ENTITLEMENT_WORKFLOW.can(bureau, proposed, "confirm").code == FORBIDDEN  # only the beneficiary
    assert ENTITLEMENT_WORKFLOW.can(other, proposed, "confirm").code == FORBIDDEN  # out of scope
    assert ENTITLEMENT_WORKFLOW.can(operator, proposed, "pay").code == CONFLICT  # not confirmed yet
    assert ENTITLEMENT_WORKFLOW.can(bureau, proposed, "cancel", reason=" ").code == INVALID
    assert ENTITLEMENT_WORKFLOW.can(operator, proposed, "cancel", reason="x").code == FORBIDDEN
    names = [t.name for t in ENTITLEMENT_WORKFLOW.available(operator, proposed)]
    assert names == ["confirm"]
    assert [t.name for t in ENTITLEMENT_WORKFLOW.available(bureau, proposed)] == ["award", "queue", "cancel"]


def test_apply_raises_what_can_answers(world, proposed):
    with pytest.raises(PermissionDenied):
        ENTITLEMENT_WORKFLOW.apply(world.users.operator_a, proposed, "cancel", reason="不再符合")
    with pytest.raises(Conflict):
        ENTITLEMENT_WORKFLOW.apply(world.users.bureau_sz, proposed, "recover")
    proposed.refresh_from_db()
    assert proposed.status == EntitlementStatus.PROPOSED


def test_no_user_is_refused_and_the_system_actor_is_explicit(world, proposed):
    assert ENTITLEMENT_WORKFLOW.can(None, proposed, "cancel", reason="x").code == FORBIDDEN
    with pytest.raises(PermissionDenied):
        require(None, "change", proposed.policy)
    with pytest.raises(PermissionDenied):
        services.run_entitlements(None, SZ2020, AS_OF)
    run = services.run_entitlements(SYSTEM, SZ2020, AS_OF)
    assert run.created_by is None and (run.created, run.changed) == (0, 0)


def test_confirming_goes_through_the_workflow_and_is_audited(world, proposed):
    services.confirm(world.users.operator_a, proposed, BANK)
    proposed.refresh_from_db()
    assert proposed.status == EntitlementStatus.CONFIRMED
    assert not services.may_confirm(world.users.operator_a, proposed)
    change = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Entitlement),
                                         object_id=str(proposed.pk), action="update").latest("id")
    assert change.username == "operator_a" and change.after["status"] == "confirmed"


def test_the_budget_queue_moves_in_bulk_with_one_audit_entry_each(world, proposed):
    Budget.objects.filter(policy__code=SZ2020, year=2025).update(amount_fen=0)
    services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    queued = list(Entitlement.objects.filter(policy__code=SZ2020, status=EntitlementStatus.QUEUED))
    assert len(queued) == 4 and all(e.queue_position for e in queued)
    changes = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Entitlement),
                                          object_id__in=[str(e.pk) for e in queued], action="update",
                                          reason__contains="2025")
    moves = sorted(c.object_id for c in changes if c.after["status"] == "queued")
    assert moves == sorted(str(e.pk) for e in queued)  # one entry per entitlement moved
    Budget.objects.filter(policy__code=SZ2020, year=2025).update(amount_fen=10**12)
    services.run_entitlements(world.users.bureau_sz, SZ2020, AS_OF)
    assert set(Entitlement.objects.filter(policy__code=SZ2020).values_list("status", flat=True)) == {"proposed"}


def test_apply_bulk_refuses_all_when_one_is_refused(world, proposed):
    others = list(Entitlement.objects.filter(policy__code=SZ2020).exclude(pk=proposed.pk))
    services.confirm(world.users.operator_a, proposed, BANK)
    proposed.refresh_from_db()
    with pytest.raises(Conflict):  # `proposed` is confirmed now: cannot be released from the queue
        ENTITLEMENT_WORKFLOW.apply_bulk(world.users.bureau_sz, [*others, proposed], "release")
    assert set(Entitlement.objects.filter(pk__in=[e.pk for e in others]).values_list("status", flat=True)) == {
        "proposed"}
