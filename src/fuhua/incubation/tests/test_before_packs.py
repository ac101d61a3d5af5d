"""A record from before any tenant rules (cn-most-2018 took effect on 2018-12-14): its rule questions answer
"not applicable" with the reason, on the page and in the API, never a server error."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fuhua import testing
from fuhua.accounts.models import ApiToken
from fuhua.incubation import lifecycle
from fuhua.incubation.models import Incubation, IncubationStatus

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def tenant_2015(world):
    firm = testing.firm("南京早年科技有限公司", world.regions.sip, founded=D(2014, 3, 1))
    return Incubation.objects.create(firm=firm, carrier=world.carrier_a, status=IncubationStatus.INCUBATING,
                                     applied_on=D(2015, 8, 1), entered_on=D(2015, 8, 18))


def test_the_checks_say_not_applicable_with_the_reason(tenant_2015):
    with translation.override("en"):
        admission, time_limit, graduation = lifecycle.checks(tenant_2015)
    assert (admission.applicable, admission.passed) == (False, None)
    assert "Not applicable" in admission.note and "2015-08-18" in admission.note
    assert (time_limit.applicable, time_limit.passed) == (False, None) and "2015-08-18" in time_limit.note
    assert graduation.applicable  # asked today, when a pack is in force


def test_admission_on_a_date_without_rules_is_not_refused(world):
    firm = testing.firm("南京旧日科技有限公司", world.regions.sip, founded=D(2010, 1, 1))
    record = Incubation.objects.create(firm=firm, carrier=world.carrier_a, applied_on=D(2015, 7, 1))
    lifecycle.take_transition(world.users.operator_a, record, "admit", on=D(2015, 8, 18))
    assert record.status == IncubationStatus.ADMITTED


def test_the_page_answers_with_not_applicable(client, world, tenant_2015):
    client.force_login(world.users.bureau_sz)
    with translation.override("en"):
        response = client.get(reverse("incubation:incubation_detail", kwargs={"pk": tenant_2015.pk}),
                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Not applicable" in text and "2015-08-18" in text


def test_the_api_answers_with_not_applicable(world, tenant_2015):
    client = Client(headers={"Authorization": f"Bearer {ApiToken.issue(world.users.operator_a, 'test')[1]}"})
    assert client.get(f"/api/v1/incubations/{tenant_2015.pk}").status_code == 200
    transitions = client.get(f"/api/v1/incubations/{tenant_2015.pk}/transitions")
    assert transitions.status_code == 200
    assert [t["name"] for t in transitions.json()] == ["graduate", "exit", "expire"]
    checks = {c["name"]: c for c in client.get(f"/api/v1/incubations/{tenant_2015.pk}/checks").json()}
    assert checks["admission"]["applicable"] is False and checks["admission"]["passed"] is None
    assert "2015-08-18" in checks["admission"]["note"]
    assert checks["time_limit"]["applicable"] is False
    assert checks["graduation"]["applicable"] is True and checks["graduation"]["pack"] is not None
