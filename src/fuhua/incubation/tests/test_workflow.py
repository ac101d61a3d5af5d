import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from fuhua.core.exceptions import Conflict
from fuhua.core.models import ObjectChange
from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.incubation.workflow import INCUBATION_WORKFLOW as WF

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(world):
    # A firm young enough to be admitted today (the tenant rules limit its age at entry to 24 months).
    world.firm_a.founded = timezone.localdate() - datetime.timedelta(days=200)
    world.firm_a.save()
    return Incubation.objects.create(firm=world.firm_a, carrier=world.carrier_a, applied_on=datetime.date(2026, 1, 5))


def test_full_path_with_dates_and_audited_reasons(world, application):
    operator = world.users.operator_a
    WF.apply(operator, application, "admit")
    WF.apply(operator, application, "start", on=datetime.date(2026, 2, 1))
    WF.apply(operator, application, "graduate", reason="recognised as a high-tech enterprise")
    application.refresh_from_db()
    assert application.status == IncubationStatus.GRADUATED
    assert application.entered_on == datetime.date(2026, 2, 1)
    assert application.left_on is not None
    changes = ObjectChange.objects.filter(object_id=str(application.pk), action="update").order_by("time", "id")
    assert [c.after["status"] for c in changes] == ["admitted", "incubating", "graduated"]
    assert changes.last().reason == "recognised as a high-tech enterprise"
    assert changes.last().username == "operator_a"


def test_transition_from_wrong_state_is_refused(world, application):
    with translation.override("en"):  # the reason is asserted in its English source text
        decision = WF.can(world.users.operator_a, application, "graduate")
    assert not decision and "from applied" in decision.reason
    with pytest.raises(Conflict):
        WF.apply(world.users.operator_a, application, "graduate", reason="x")


def test_reason_is_required_where_declared(world):
    with pytest.raises(ValidationError) as err:
        WF.apply(world.users.operator_a, world.inc_a, "exit", reason="  ")
    assert "reason" in err.value.message_dict
    world.inc_a.refresh_from_db()
    assert world.inc_a.status == IncubationStatus.INCUBATING


def test_other_citys_operator_and_firm_users_cannot_move_the_record(world, application):
    for user in (world.users.operator_b, world.users.bureau_nj, world.users.firm_a):
        assert not WF.can(user, application, "admit"), user.username
        with pytest.raises(PermissionDenied):
            WF.apply(user, application, "admit")
    application.refresh_from_db()
    assert application.status == IncubationStatus.APPLIED


def test_available_lists_only_allowed_steps(world):
    names = [t.name for t in WF.available(world.users.operator_a, world.inc_a)]
    assert names == ["graduate", "exit", "expire"]
    assert WF.available(world.users.firm_a, world.inc_a) == []
