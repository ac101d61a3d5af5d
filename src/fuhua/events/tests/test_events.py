"""Events: registration over capacity (waitlist, or refused without one), after the deadline, promotion in order
when a seat frees up, approval, check-in and feedback, series occurrences, the iCalendar feed, the prefill source
and the rules attribute, and the API."""

import datetime

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fuhua import testing
from fuhua.core.system import SYSTEM
from fuhua.events import prefill, rule_sources, services
from fuhua.events.models import Event, Registration
from fuhua.events.testing import at, event, events_world

pytestmark = pytest.mark.django_db


def _reg(e, person, **kw):
    return services.register(SYSTEM, {"event": e, "person": person, **kw})


def test_over_capacity_goes_to_the_waitlist_and_moves_up_in_order(world):
    e = event(world.carrier_a, capacity=1)
    first = _reg(e, "甲", firm=world.firm_a)
    second, third = _reg(e, "乙"), _reg(e, "丙")
    assert [first.status, second.status, third.status] == ["confirmed", "waitlisted", "waitlisted"]
    assert [second.waitlist_position, third.waitlist_position] == [1, 2]
    services.step(world.users.firm_a, first, "cancel")
    second.refresh_from_db(), third.refresh_from_db()
    assert (second.status, second.waitlist_position, third.status) == ("confirmed", None, "waitlisted")


def test_full_without_waitlist_and_after_deadline_are_refused_naming_the_field(world):
    e = event(world.carrier_a, capacity=1, waitlist=False)
    _reg(e, "甲")
    before = Registration.objects.count()
    with pytest.raises(ValidationError) as caught:
        _reg(e, "乙")
    assert list(caught.value.message_dict) == ["event"] and "候补" in caught.value.message_dict["event"][0]
    late = event(world.carrier_a, deadline=timezone.now() - datetime.timedelta(hours=1),
                 starts_at=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        _reg(late, "丙")
    assert list(caught.value.message_dict) == ["event"]
    draft = event(world.carrier_a, publish=False)
    with pytest.raises(ValidationError) as caught:
        _reg(draft, "丁")
    assert list(caught.value.message_dict) == ["event"]
    with pytest.raises(ValidationError) as caught:
        _reg(late, "")
    assert Registration.objects.count() == before


def test_approval_only_by_the_organiser_and_a_seat(world):
    e = event(world.carrier_a, approval_required=True, capacity=1)
    r = _reg(e, "甲", firm=world.firm_a)
    assert r.status == "pending"
    with pytest.raises(Exception) as caught:
        services.step(world.users.firm_a, r, "approve")
    assert type(caught.value).__name__ == "PermissionDenied"
    services.step(world.users.operator_a, r, "approve")
    assert r.status == "confirmed"
    other = _reg(e, "乙")
    assert other.status == "waitlisted"


def test_event_validation_names_fields(world):
    start = timezone.now() + datetime.timedelta(days=3)
    base = {"kind": "salon", "title": "沙龙", "carrier": world.carrier_a, "starts_at": start,
            "ends_at": start - datetime.timedelta(hours=1), "place": "大厅"}
    with pytest.raises(ValidationError) as caught:
        services.create_event(SYSTEM, base)
    assert list(caught.value.message_dict) == ["ends_at"]
    with pytest.raises(ValidationError) as caught:
        services.create_event(SYSTEM, {**base, "ends_at": start, "place": ""})
    assert list(caught.value.message_dict) == ["place"]
    with pytest.raises(ValidationError) as caught:
        services.create_event(SYSTEM, {**base, "ends_at": start, "carrier": None})
    assert list(caught.value.message_dict) == ["region"]


def test_series_feedback_prefill_and_rules(world):
    m = events_world(world)
    assert [e.starts_at for e in m.series_a.events.order_by("starts_at")] == [at(2026, 1, 15, 14), at(2026, 2, 15, 14)]
    with pytest.raises(ValidationError):
        services.give_feedback(SYSTEM, m.reg_a, 5)  # not attended, event not held
    year = timezone.localdate().year
    assert prefill.held([world.carrier_a.pk], year) == {world.carrier_a.pk: 1}
    assert prefill.attendance(None, year) == {world.carrier_a.pk: 1, world.carrier_b.pk: 1}
    ids = np.array([world.carrier_a.pk, world.carrier_b.pk, 999999])
    got = rule_sources.carrier_events(ids, datetime.date(year + 1, 3, 1), {"events_last_year": np.array([7, 8, 9])})
    assert got["events_last_year"].tolist() == [1, 1, 9]


def test_scope_ical_and_api(world):
    m = events_world(world)
    u = world.users
    assert set(Event.objects.restrict(u.firm_a).filter(pk__in=[m.event_a.pk, m.event_b.pk])) == {m.event_a}
    assert set(Event.objects.restrict(u.bureau_sz).filter(pk__in=[m.event_a.pk, m.event_b.pk])) == {m.event_a}
    with pytest.raises(ValidationError) as caught:
        services.register(u.firm_a, {"event": m.event_b, "firm": world.firm_a, "person": "越权"})
    assert list(caught.value.message_dict) == ["event"]
    client = testing.web_client(u.bureau_sz)
    response = client.get(reverse("events:calendar"))
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and "纳米城月度路演" in body and "紫金创业沙龙" not in body
    api = testing.api_client(u.firm_a)
    fresh = event(world.carrier_a, title="新路演", capacity=1)
    r = api.post("/api/v1/event-registrations", {"event": fresh.pk, "firm": world.firm_a.pk, "person": "张三"},
                 content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "confirmed"


def test_a_firm_registers_once_and_nothing_is_half_written(world):
    e = event(world.carrier_a, capacity=5)
    _reg(e, "甲", firm=world.firm_a)
    count = Registration.objects.count()
    with pytest.raises(ValidationError) as caught:
        _reg(e, "乙", firm=world.firm_a)
    assert list(caught.value.message_dict) == ["firm"]
    assert Registration.objects.count() == count


def test_pages_organiser_publishes_and_firm_sees_its_registrations(world):
    m = events_world(world)
    draft = event(world.carrier_a, title="草稿路演", publish=False)
    operator = testing.web_client(world.users.operator_a)
    assert operator.get(reverse("events:event_list")).status_code == 200
    page = operator.get(reverse("events:event_detail", kwargs={"pk": m.event_a.pk}))
    assert page.status_code == 200 and "张三" in page.content.decode()
    response = operator.post(reverse("events:event_detail", kwargs={"pk": draft.pk}), {"transition": "publish"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    firm = testing.web_client(world.users.firm_a)
    mine = firm.get(reverse("events:registration_list")).content.decode()
    assert "纳米城月度路演" in mine and "紫金创业沙龙" not in mine
    assert firm.get(reverse("events:event_detail", kwargs={"pk": m.event_b.pk})).status_code == 404
