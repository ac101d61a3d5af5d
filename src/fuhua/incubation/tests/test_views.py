"""Incubation pages: scope, workflow transitions through buttons only, the record form."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fuhua.core.models import ObjectChange
from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.testing import login as as_user

pytestmark = pytest.mark.django_db


def url(name, obj=None):
    return reverse(f"incubation:{name}", kwargs={"pk": obj.pk} if obj is not None else None)


def step(client, incubation, **data):
    return client.post(url("incubation_transition", incubation), data)


@pytest.fixture
def applied(world):
    # A firm young enough to be admitted today (the tenant rules limit its age at entry to 24 months).
    world.firm_a.founded = timezone.localdate() - datetime.timedelta(days=200)
    world.firm_a.save()
    return Incubation.objects.create(firm=world.firm_a, carrier=world.carrier_a, applied_on=datetime.date(2025, 1, 5))


class TestPages:
    @pytest.mark.parametrize("page", ["detail", "edit", "history", "delete"])
    def test_scope(self, client, world, page):
        c = as_user(client, world.users.bureau_sz)
        assert c.get(url(f"incubation_{page}", world.inc_a)).status_code == 200
        assert c.get(url(f"incubation_{page}", world.inc_b)).status_code == 404

    def test_roles(self, client, world):
        c = as_user(client, world.users.firm_a)
        assert c.get(url("incubation_detail", world.inc_a)).status_code == 200
        assert c.get(url("incubation_edit", world.inc_a)).status_code == 403
        assert step(c, world.inc_a, transition="exit", reason="x").status_code == 403
        c = as_user(client, world.users.association)
        assert c.get(url("incubation_list")).status_code == 403
        c = as_user(client, world.users.operator_a)
        assert c.get(url("incubation_delete", world.inc_a)).status_code == 403

    def test_list_scoped_and_searchable(self, client, world):
        c = as_user(client, world.users.bureau_nj)
        rows = c.get(url("incubation_list")).context["rows"]
        assert {i.pk for i in rows} == {world.inc_b.pk, world.inc_team.pk}
        rows = c.get(url("incubation_list"), {"q": "zjjqr"}).context["rows"]  # 紫金机器人 (the team)
        assert [i.pk for i in rows] == [world.inc_team.pk]
        rows = c.get(url("incubation_list"), {"status": "graduated"}).context["rows"]
        assert list(rows) == []

    def test_transition_get_redirects_and_is_scoped(self, client, world):
        c = as_user(client, world.users.bureau_nj)
        assert c.get(url("incubation_transition", world.inc_a)).status_code == 404
        assert step(c, world.inc_a, transition="exit", reason="x").status_code == 404
        world.inc_a.refresh_from_db()
        assert world.inc_a.status == IncubationStatus.INCUBATING
        assert c.get(url("incubation_transition", world.inc_b)).status_code == 302


class TestTransitions:
    def test_buttons_show_available_steps(self, client, world, applied):
        html = as_user(client, world.users.operator_a).get(url("incubation_detail", applied)).content.decode()
        assert 'data-transition="admit"' in html and 'data-transition="exit"' in html
        assert 'data-transition="graduate"' not in html

    def test_admit_start_graduate(self, client, world, applied):
        c = as_user(client, world.users.operator_a)
        assert c.post(url("incubation_transition", applied), {"transition": "admit"}).status_code == 302
        assert step(c, applied, transition="start", on="2025-02-01").status_code == 302
        applied.refresh_from_db()
        assert applied.status == IncubationStatus.INCUBATING and applied.entered_on == datetime.date(2025, 2, 1)
        response = c.post(url("incubation_transition", applied), {"transition": "graduate", "reason": ""})
        assert response.status_code == 400 and "reason" in response.context["transition_form"].errors
        applied.refresh_from_db()
        assert applied.status == IncubationStatus.INCUBATING
        response = step(c, applied, transition="graduate", reason="认定为高新技术企业")
        assert response.status_code == 302
        applied.refresh_from_db()
        assert applied.status == IncubationStatus.GRADUATED and applied.leave_reason == "认定为高新技术企业"
        change = ObjectChange.objects.filter(object_id=str(applied.pk), content_type__model="incubation").first()
        assert change.reason == "认定为高新技术企业"
        html = c.get(url("incubation_history", applied)).content.decode()
        assert "认定为高新技术企业" in html and "已毕业" in html

    def test_unavailable_step_is_refused(self, client, world, applied):
        c = as_user(client, world.users.operator_a)
        response = c.post(url("incubation_transition", applied), {"transition": "graduate", "reason": "x"})
        assert response.status_code == 400
        applied.refresh_from_db()
        assert applied.status == IncubationStatus.APPLIED

    def test_future_date_refused(self, client, world):
        c = as_user(client, world.users.operator_a)
        response = c.post(url("incubation_transition", world.inc_a),
                          {"transition": "exit", "reason": "搬离", "on": "2999-01-01"})
        assert response.status_code == 400
        world.inc_a.refresh_from_db()
        assert world.inc_a.status == IncubationStatus.INCUBATING

    def test_status_not_editable_in_form(self, client, world):
        c = as_user(client, world.users.operator_a)
        form = c.get(url("incubation_edit", world.inc_a)).context["form"]
        assert "status" not in form.fields and "left_on" not in form.fields


class TestForm:
    def data(self, world, **overrides):
        data = {"firm": world.firm_a.credit_code.lower(), "team": "", "carrier": world.carrier_a.pk,
                "applied_on": "2025-06-01", "entered_on": ""}
        data.update(overrides)
        return data

    def test_create_by_credit_code(self, client, world):
        c = as_user(client, world.users.operator_a)
        response = c.post(url("incubation_create"), self.data(world))
        assert response.status_code == 302
        created = Incubation.objects.get(applied_on=datetime.date(2025, 6, 1))
        assert created.firm == world.firm_a and created.status == IncubationStatus.APPLIED

    def test_bad_input(self, client, world):
        c = as_user(client, world.users.operator_a)
        before = Incubation.objects.count()
        for overrides, field in [
            ({"firm": world.firm_b.credit_code}, "firm"),  # outside the operator's scope
            ({"entered_on": "2999-01-01"}, "entered_on"),
            ({"entered_on": "2025-01-01"}, "entered_on"),  # before it applied
            ({"firm": ""}, "firm"),  # neither firm nor team
            ({"carrier": world.carrier_b.pk}, "carrier"),
        ]:
            response = c.post(url("incubation_create"), self.data(world, **overrides))
            assert response.status_code == 400, overrides
            assert field in response.context["form"].errors, (overrides, response.context["form"].errors)
        assert Incubation.objects.count() == before


class TestCarrierTenants:
    """A carrier's tenants: the latest few on its page, every one on a paginated, filterable, exportable list."""

    @pytest.fixture
    def many(self, world):
        from fuhua.registry.models import StartupTeam

        teams = StartupTeam.objects.bulk_create([StartupTeam(
            name=f"分页团队{i:02d}", leader="张三", members=3, industry_field="ai", formed_on=datetime.date(2023, 6, 1),
            region=world.regions.sz) for i in range(60)])
        rows = [Incubation(team=teams[i],
                           carrier=world.carrier_a, applied_on=datetime.date(2024, 1, 1),
                           entered_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
                           status=IncubationStatus.INCUBATING if i % 2 else IncubationStatus.GRADUATED)
                for i in range(60)]
        Incubation.objects.bulk_create(rows)
        return world

    def test_the_carrier_page_shows_the_latest_and_links_to_all(self, client, many):
        c = as_user(client, many.users.bureau_sz)
        html = c.get(reverse("registry:carrier_detail", kwargs={"pk": many.carrier_a.pk})).content.decode()
        assert html.count("分页团队") == 10 and "分页团队59" in html and "分页团队49" not in html
        assert reverse("incubation:carrier_tenants", kwargs={"pk": many.carrier_a.pk}) in html

    def test_the_list_pages_filters_and_exports(self, client, many):
        c = as_user(client, many.users.bureau_sz)
        page = url("carrier_tenants", many.carrier_a)
        first = c.get(page).content.decode()
        assert "61 records" in first or "61 条记录" in first  # the world's own tenant too
        partial = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}
        second = c.get(page, {"page": 2, "per_page": 50}, **partial).content.decode()
        assert second.count("分页团队") == 11 - 1  # 61 rows: 50 on the first page, 11 on the second
        graduated = c.get(page, {"status": "graduated", "per_page": 100}, **partial).content.decode()
        assert graduated.count("分页团队") == 30 and "分页团队01" not in graduated
        export = c.get(page, {"status": "incubating", "export": "csv"})
        assert export.content.decode("utf-8-sig").count("分页团队") == 30

    def test_out_of_scope_carrier_is_not_found(self, client, many):
        c = as_user(client, many.users.bureau_sz)
        assert c.get(url("carrier_tenants", many.carrier_b)).status_code == 404
        assert c.get(url("carrier_tenants", many.carrier_a)).status_code == 200
