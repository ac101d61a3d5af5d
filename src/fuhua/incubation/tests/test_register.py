"""Registering an applicant (登记入孵申请) on the page and through the API; the rule-driven work lists
(graduation proposals, overdue tenants) on the dashboard and the filtered incubation list."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fuhua import testing
from fuhua.core.models import ObjectChange
from fuhua.incubation import lifecycle
from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.registry.models import Firm, FirmDesignation
from fuhua.testing import api_client
from fuhua.testing import login as as_user

pytestmark = pytest.mark.django_db
REGISTER = "incubation:incubation_register"


def young() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=200)


def new_firm(region="320571", **extra) -> dict:
    data = {"credit_code": testing.credit_code(region), "name": "苏州新芯微电子有限公司",
            "founded": young().isoformat(), "industry_field": "integrated_circuits", "size_class": "micro",
            "region": region}
    data.update(extra)
    return data


def bad_check_char(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def audited(obj) -> ObjectChange | None:
    ct = ContentType.objects.get_for_model(type(obj))
    return ObjectChange.objects.filter(content_type=ct, object_id=str(obj.pk), action="create").first()


class TestRegisterPage:
    def test_operator_registers_a_new_firm(self, client, world):
        c = as_user(client, world.users.operator_a)
        page = c.get(reverse(REGISTER), {"carrier": world.carrier_a.pk})
        assert page.status_code == 200
        assert list(page.context["form"].fields["carrier"].queryset) == [world.carrier_a]  # only their own
        data = new_firm()
        response = c.post(reverse(REGISTER), {"carrier": world.carrier_a.pk, **data})
        firm = Firm.objects.get(credit_code=data["credit_code"])
        record = Incubation.objects.get(firm=firm)
        assert response.status_code == 302 and response["Location"] == reverse(
            "incubation:incubation_detail", kwargs={"pk": record.pk})
        assert (record.carrier, record.status, record.applied_on) == (
            world.carrier_a, IncubationStatus.APPLIED, timezone.localdate())
        for obj in (firm, record):
            change = audited(obj)
            assert change is not None and change.user == world.users.operator_a, obj
        detail = c.get(response["Location"])  # the admission check, with its explanation
        admission = next(ch for ch in detail.context["checks"] if ch.name == "admission")
        assert admission.passed is True and admission.trace is not None
        assert 'data-check="admission"' in detail.content.decode()

    def test_existing_firm_and_no_duplicate_open_record(self, client, world):
        c = as_user(client, world.users.operator_a)
        response = c.post(reverse(REGISTER), {"carrier": world.carrier_a.pk, "firm": world.firm_a.credit_code,
                                              "size_class": "micro"})
        assert response.status_code == 400  # firm_a is incubating there already
        assert response.context["form"].errors["firm"]
        Incubation.objects.filter(pk=world.inc_a.pk).update(status=IncubationStatus.GRADUATED)
        response = c.post(reverse(REGISTER), {"carrier": world.carrier_a.pk, "firm": world.firm_a.credit_code,
                                              "size_class": "micro"})
        assert response.status_code == 302
        assert Incubation.objects.filter(firm=world.firm_a, status=IncubationStatus.APPLIED).count() == 1

    def test_other_citys_operator_is_refused_and_nothing_is_written(self, client, world):
        c = as_user(client, world.users.operator_b)
        before = (Firm.objects.count(), Incubation.objects.count(), ObjectChange.objects.count())
        response = c.post(reverse(REGISTER), {"carrier": world.carrier_a.pk, **new_firm()})
        assert response.status_code == 400 and "carrier" in response.context["form"].errors
        assert (Firm.objects.count(), Incubation.objects.count(), ObjectChange.objects.count()) == before

    @pytest.mark.parametrize("user", ["firm_a", "association", "expert"])
    def test_roles_without_add_get_403(self, client, world, user):
        assert as_user(client, getattr(world.users, user)).get(reverse(REGISTER)).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client, world):
        assert client.get(reverse(REGISTER)).status_code == 302

    @pytest.mark.parametrize(("change", "field"), [
        ({"credit_code": "bad"}, "credit_code"),
        ({"credit_code": "check"}, "credit_code"),
        ({"founded": "2999-01-01"}, "founded"),
        ({"name": ""}, "name"),
        ({"industry_field": ""}, "industry_field"),
        ({"applied_on": "2999-01-01"}, "applied_on"),
        ({"credit_code": "duplicate"}, "credit_code"),
    ])
    def test_bad_inputs_are_named(self, client, world, change, field):
        data = new_firm(**change)
        if data["credit_code"] == "check":
            data["credit_code"] = bad_check_char(testing.credit_code("320571"))
        elif data["credit_code"] == "duplicate":
            data["credit_code"] = world.firm_b.credit_code  # another city's firm: still a duplicate
        before = (Firm.objects.count(), Incubation.objects.count())
        response = as_user(client, world.users.operator_a).post(
            reverse(REGISTER), {"carrier": world.carrier_a.pk, **data})
        assert response.status_code == 400
        assert field in response.context["form"].errors, response.context["form"].errors
        assert (Firm.objects.count(), Incubation.objects.count()) == before

    def test_bureau_registers_and_links_are_shown(self, client, world):
        c = as_user(client, world.users.bureau_sz)
        carrier_page = c.get(reverse("registry:carrier_detail", kwargs={"pk": world.carrier_a.pk})).content.decode()
        assert f'{reverse(REGISTER)}?carrier={world.carrier_a.pk}' in carrier_page
        assert 'data-action="register"' in c.get(reverse("incubation:incubation_list")).content.decode()
        response = c.post(reverse(REGISTER), {"carrier": world.carrier_a.pk, **new_firm()})
        assert response.status_code == 302
        # Firm users neither see the link on the list nor get the page.
        c = as_user(Client(), world.users.firm_a)
        assert 'data-action="register"' not in c.get(reverse("incubation:incubation_list")).content.decode()


class TestRegisterApi:
    URL = "/api/v1/incubations/applications"

    def post(self, user, body, client=None):
        return (client or api_client(user)).post(self.URL, body, content_type="application/json")

    def test_operator_registers_a_new_firm(self, world):
        data = new_firm()
        response = self.post(world.users.operator_a, {"carrier": world.carrier_a.pk, "new_firm": data})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "applied" and body["carrier"]["id"] == world.carrier_a.pk
        firm = Firm.objects.get(credit_code=data["credit_code"])
        assert body["firm"]["id"] == firm.pk
        assert audited(firm).user == world.users.operator_a
        assert audited(Incubation.objects.get(pk=body["id"])).user == world.users.operator_a

    def test_other_citys_operator_gets_404_and_nothing_is_written(self, world):
        client = api_client(world.users.operator_b)  # issuing the token is audited too
        before = (Firm.objects.count(), Incubation.objects.count(), ObjectChange.objects.count())
        response = self.post(None, {"carrier": world.carrier_a.pk, "new_firm": new_firm()}, client)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert (Firm.objects.count(), Incubation.objects.count(), ObjectChange.objects.count()) == before

    def test_a_carrier_seen_but_not_run_is_403(self, world):
        # The association sees its member carrier but may not add incubation records at all.
        response = self.post(world.users.association, {"carrier": world.carrier_a.pk, "new_firm": new_firm()})
        assert response.status_code == 403

    @pytest.mark.parametrize(("change", "field"), [
        ({"credit_code": "check"}, "new_firm.credit_code"),
        ({"founded": "2999-01-01"}, "new_firm.founded"),
        ({"region": "999999"}, "new_firm.region"),
        ({"credit_code": "duplicate"}, "new_firm.credit_code"),
    ])
    def test_bad_inputs_are_named(self, world, change, field):
        data = new_firm(**change)
        if data["credit_code"] == "check":
            data["credit_code"] = bad_check_char(testing.credit_code("320571"))
        elif data["credit_code"] == "duplicate":
            data["credit_code"] = world.firm_b.credit_code
        before = (Firm.objects.count(), Incubation.objects.count())
        response = self.post(world.users.operator_a, {"carrier": world.carrier_a.pk, "new_firm": data})
        assert response.status_code == 422, response.content
        body = response.json()
        assert body["code"] == "validation_error"
        assert field in [e["field"] for e in body["errors"]], body
        assert (Firm.objects.count(), Incubation.objects.count()) == before

    def test_neither_or_both_firms_is_an_error(self, world):
        response = self.post(world.users.operator_a, {"carrier": world.carrier_a.pk})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "firm"
        response = self.post(world.users.operator_a, {"carrier": world.carrier_a.pk, "firm": world.firm_b.pk})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "firm"  # not in scope


class TestWorkLists:
    @pytest.fixture
    def due(self, world):
        """inc_a meets a graduation condition (high-tech); inc_b is past its limit."""
        FirmDesignation.objects.create(firm=world.firm_a, kind="high_tech", granted_on=datetime.date(2025, 1, 1))
        Incubation.objects.filter(pk=world.inc_b.pk).update(entered_on=datetime.date(2018, 1, 1))
        return world

    def test_attention_is_scoped(self, due):
        w = due
        found = lifecycle.attention(w.users.admin)
        assert w.inc_a.pk in found.graduation and w.inc_b.pk in found.overdue
        assert w.inc_a.pk not in found.overdue and w.inc_b.pk not in found.graduation
        found = lifecycle.attention(w.users.operator_b)
        assert found.graduation == [] and w.inc_b.pk in found.overdue
        # The same answers as the per-list services.
        assert found.overdue == sorted(r.incubation.pk for r in lifecycle.overdue(w.users.operator_b)[0])
        assert lifecycle.attention(w.users.bureau_sz).graduation == sorted(
            p.incubation.pk for p in lifecycle.graduation_proposals(w.users.bureau_sz))

    def test_dashboard_counts_link_to_filtered_lists(self, client, due):
        w = due
        c = as_user(client, w.users.bureau_js)
        attention = reverse("incubation:incubation_attention")
        assert f'hx-get="{attention}"' in c.get(reverse("dashboard")).content.decode()  # fetched after render
        counts = c.get(attention)
        assert counts.context["attention"] == {"graduation": 1, "overdue": 1}
        html = counts.content.decode()
        assert "?attention=graduation" in html and "?attention=overdue" in html
        rows = c.get(reverse("incubation:incubation_list"), {"attention": "graduation"}).context["rows"]
        assert [i.pk for i in rows] == [w.inc_a.pk]
        rows = c.get(reverse("incubation:incubation_list"), {"attention": "overdue"}).context["rows"]
        assert [i.pk for i in rows] == [w.inc_b.pk]
        c = as_user(Client(), w.users.operator_a)
        assert c.get(attention).context["attention"] == {"graduation": 1, "overdue": 0}
        # Firm users and associations get no work lists; associations may not even ask.
        assert "attention_url" not in as_user(Client(), w.users.firm_a).get(reverse("dashboard")).context
        association = as_user(Client(), w.users.association)
        assert "attention_url" not in association.get(reverse("dashboard")).context
        assert association.get(attention).status_code == 403
