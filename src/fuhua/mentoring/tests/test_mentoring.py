"""Mentoring: pool sharing under scoping, the pairing workflow, a log for a firm not paired with the mentor
refused naming the field, feedback range, the prefill source and the rules attribute, pages and API."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from fuhua import testing
from fuhua.core import prefill as core_prefill
from fuhua.core.exceptions import Conflict
from fuhua.core.system import SYSTEM
from fuhua.mentoring import prefill, services
from fuhua.mentoring.models import PoolMentor
from fuhua.mentoring.testing import mentoring_world, pair

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_log_for_a_firm_not_paired_with_the_mentor_is_refused_naming_the_field(world):
    m = mentoring_world(world)
    with pytest.raises(ValidationError) as caught:
        services.log_session(SYSTEM, {"mentor": m.pool_a, "firm": world.firm_b, "date": D(2025, 3, 1), "hours": 1,
                                      "topic": "越权"})
    assert list(caught.value.message_dict) == ["firm"] and "李明" in caught.value.message_dict["firm"][0]
    with pytest.raises(ValidationError) as caught:
        services.log_session(SYSTEM, {"mentor": m.pool_a, "firm": world.firm_a, "date": D(2027, 3, 1), "hours": 1,
                                      "topic": "期外"})
    assert list(caught.value.message_dict) == ["date"]


def test_pairing_workflow_and_notification(world):
    m = mentoring_world(world)
    world.users.mentor_a.email = "mentor@example.cn"
    world.users.mentor_a.save()
    mail.outbox.clear()
    with pytest.raises(ValidationError) as caught:  # the mentor serves carrier_a only
        pair(m.pool_a, firm=world.firm_b, carrier=world.carrier_b)
    assert list(caught.value.message_dict) == ["mentor"]
    with pytest.raises(ValidationError) as caught:
        services.transition(SYSTEM, m.pairing_a, "end", reason="")
    assert "reason" in caught.value.message_dict
    services.transition(world.users.mentor_a, m.pairing_a, "end", reason="企业迁出")
    assert m.pairing_a.status == "ended" and m.pairing_a.end_reason == "企业迁出"
    with pytest.raises(Conflict):
        services.transition(SYSTEM, m.pairing_a, "activate")
    with pytest.raises(ValidationError):
        services.give_feedback(SYSTEM, m.pairing_b, 6)


def test_pool_sharing_scope(world):
    m = mentoring_world(world)
    u = world.users
    assert set(PoolMentor.objects.restrict(u.bureau_sz)) == {m.pool_a}
    assert set(PoolMentor.objects.restrict(u.operator_a)) == {m.pool_a}
    m.pool_b.shared_with.add(world.regions.sz)
    assert set(PoolMentor.objects.restrict(u.bureau_sz)) == {m.pool_a, m.pool_b}
    assert set(PoolMentor.objects.restrict(u.firm_a)) == {m.pool_a}
    assert set(PoolMentor.objects.restrict(u.mentor_a)) == {m.pool_a}


def test_prefill_and_rules_read_the_records(world):
    m = mentoring_world(world)
    loaded = prefill.pairings([world.carrier_a.pk, world.carrier_b.pk], 2025)
    assert loaded == {world.carrier_a.pk: 1, world.carrier_b.pk: 1}
    assert prefill.service_hours(None, 2025) == {world.carrier_a.pk: 2, world.carrier_b.pk: 1}
    assert prefill.pool_mentors([world.carrier_a.pk]) == {world.carrier_a.pk: 1}
    assert m.pairing_a.status == "active"
    through_registry = core_prefill.load(["mentoring.pairings"], [world.carrier_a.pk], 2025)
    assert through_registry == {"mentoring.pairings": {world.carrier_a.pk: 1}}


def test_pages_and_api(world):
    m = mentoring_world(world)
    client = testing.web_client(world.users.mentor_a)
    page = client.get(reverse("mentoring:home"))
    assert page.status_code == 200 and "商业计划书" in page.content.decode()
    assert client.get(reverse("mentoring:pairing_detail", kwargs={"pk": m.pairing_b.pk})).status_code == 404
    api = testing.api_client(world.users.mentor_a)
    bad = api.post("/api/v1/mentoring-logs", {"mentor": m.pool_a.pk, "firm": world.firm_b.pk, "date": "2025-04-01",
                                              "hours": "1.5", "topic": "x"}, content_type="application/json")
    assert bad.status_code == 422 and "firm" in bad.content.decode()
    ok = api.post("/api/v1/mentoring-logs", {"mentor": m.pool_a.pk, "firm": world.firm_a.pk, "date": "2025-04-01",
                                             "hours": "1.5", "topic": "路演辅导"}, content_type="application/json")
    assert ok.status_code == 201, ok.content
    operator = testing.api_client(world.users.operator_a)
    created = operator.post("/api/v1/pairings", {"mentor": m.pool_a.pk, "firm": world.firm_a.pk,
                                                 "carrier": world.carrier_a.pk, "goals": "申报高企",
                                                 "starts_on": "2025-06-01", "ends_on": "2026-05-31"},
                            content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "proposed"
    refused = testing.api_client(world.users.operator_b).post(
        "/api/v1/pairings", {"mentor": m.pool_b.pk, "firm": world.firm_b.pk, "carrier": world.carrier_a.pk,
                             "goals": "x", "starts_on": "2025-06-01", "ends_on": "2026-05-31"},
        content_type="application/json")
    assert refused.status_code == 422 and "carrier" in refused.content.decode()
