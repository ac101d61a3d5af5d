"""The rules' facts (investments, annual figures, IP rights, seed funds, staffing): API resources with
filters, and pages reached from the firm and carrier pages."""

import pytest
from django.test import Client
from django.urls import reverse

from fuhua.registry.models import CarrierStaffing, FirmYearFigures, Investment, SeedFund
from fuhua.testing import api_client, rules_facts
from fuhua.testing import login as as_user

pytestmark = pytest.mark.django_db


class TestApi:
    def test_operator_adds_facts_for_their_tenants_only(self, world):
        client = api_client(world.users.operator_a)
        body = {"firm": world.firm_a.pk, "date": "2024-09-01", "amount_fen": 250_000_000, "round": "pre_a",
                "investor": world.fund.pk}
        created = client.post("/api/v1/investments", body, content_type="application/json")
        assert created.status_code == 201, created.content
        assert created.json()["investor_name"] == world.fund.name and created.json()["firm"]["id"] == world.firm_a.pk
        refused = client.post("/api/v1/investments", {**body, "firm": world.firm_b.pk},
                              content_type="application/json")
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "firm"
        assert not Investment.objects.filter(firm=world.firm_b).exists()
        staffing = {"carrier": world.carrier_a.pk, "year": 2025, "staff_total": 5, "staff_professional": 6,
                    "staff_fulltime": 1}
        bad = client.post("/api/v1/staffing", staffing, content_type="application/json")
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "staff_professional"
        ok = client.post("/api/v1/staffing", {**staffing, "staff_professional": 4}, content_type="application/json")
        assert ok.status_code == 201, ok.content

    def test_filters(self, world):
        facts = rules_facts(world)
        FirmYearFigures.objects.create(firm=world.firm_a, year=2023, revenue_fen=1)
        client = api_client(world.users.admin)

        def ids(path, **params):
            response = client.get(path, params)
            assert response.status_code == 200, response.content
            return {item["id"] for item in response.json()["items"]}

        assert ids("/api/v1/investments", firm=world.firm_a.pk) == {facts.investments[0].pk}
        assert ids("/api/v1/investments", carrier=world.carrier_b.pk) == {facts.investments[1].pk}
        assert ids("/api/v1/investments", year=2023) == set()
        assert ids("/api/v1/annual-figures", firm=world.firm_a.pk, year=2024) == {facts.figures[0].pk}
        assert len(ids("/api/v1/annual-figures", carrier=world.carrier_a.pk)) == 2
        assert ids("/api/v1/ip-rights", carrier=world.carrier_a.pk, kind="utility") == {facts.ip[0].pk}
        assert ids("/api/v1/seed-funds", carrier=world.carrier_b.pk) == {facts.seed_funds[1].pk}
        assert ids("/api/v1/seed-funds", region="320500") == {facts.seed_funds[0].pk}
        assert ids("/api/v1/staffing", carrier=world.carrier_a.pk, year=2024) == {facts.staffing[0].pk}
        assert ids("/api/v1/staffing", q="纳米城") == {facts.staffing[0].pk}

    def test_scope(self, world):
        facts = rules_facts(world)
        client = api_client(world.users.operator_b)
        assert client.get(f"/api/v1/investments/{facts.investments[0].pk}").status_code == 404
        assert client.get(f"/api/v1/investments/{facts.investments[1].pk}").status_code == 200
        assert client.delete(f"/api/v1/seed-funds/{facts.seed_funds[1].pk}").status_code == 403  # no delete
        association = api_client(world.users.association)
        assert association.get("/api/v1/investments").status_code == 403
        assert {i["id"] for i in association.get("/api/v1/seed-funds").json()["items"]} == {facts.seed_funds[0].pk}


class TestPages:
    def test_firm_page_lists_facts_with_add_links(self, client, world):
        facts = rules_facts(world)
        c = as_user(client, world.users.operator_a)
        page = c.get(reverse("registry:firm_detail", kwargs={"pk": world.firm_a.pk}))
        adds = {s.add_url for s in page.context["sections"]}
        for name in ("investment", "firmyearfigures", "intellectualproperty"):
            assert reverse(f"registry:{name}_create") + f"?firm={world.firm_a.credit_code}" in adds
        investments = next(s for s in page.context["sections"] if s.rows and s.rows[0] == facts.investments[0])
        assert investments.add_url == reverse("registry:investment_create") + f"?firm={world.firm_a.credit_code}"
        form = c.get(investments.add_url).context["form"]
        assert form["firm"].value() == world.firm_a.credit_code

    def test_carrier_page_lists_funds_and_staffing(self, client, world):
        facts = rules_facts(world)
        c = as_user(client, world.users.operator_a)
        page = c.get(reverse("registry:carrier_detail", kwargs={"pk": world.carrier_a.pk}))
        rows = [row for s in page.context["sections"] for row in s.rows]
        assert facts.seed_funds[0] in rows and facts.staffing[0] in rows and facts.seed_funds[1] not in rows
        adds = {s.add_url for s in page.context["sections"]}
        assert reverse("registry:seedfund_create") + f"?carrier={world.carrier_a.pk}" in adds
        # The association reads seed funds and staffing but may not add them.
        page = as_user(Client(), world.users.association).get(
            reverse("registry:carrier_detail", kwargs={"pk": world.carrier_a.pk}))
        assert reverse("registry:seedfund_create") + f"?carrier={world.carrier_a.pk}" not in {
            s.add_url for s in page.context["sections"]}

    def test_create_edit_delete_history(self, client, world):
        c = as_user(client, world.users.bureau_sz)
        response = c.post(reverse("registry:seedfund_create"), {
            "carrier": world.carrier_a.pk, "name": "纳米城二期资金", "size_fen": 100_000_000, "ownership": "partner",
            "established_on": "2022-05-01"})
        assert response.status_code == 302, response.context["form"].errors
        fund = SeedFund.objects.get(name="纳米城二期资金")
        bad = c.post(reverse("registry:seedfund_edit", kwargs={"pk": fund.pk}), {
            "carrier": world.carrier_a.pk, "name": "x", "size_fen": 0, "ownership": "own",
            "established_on": "2022-05-01"})
        assert bad.status_code == 400 and "size_fen" in bad.context["form"].errors
        history = c.get(reverse("registry:seedfund_history", kwargs={"pk": fund.pk}))
        assert history.status_code == 200 and len(history.context["changes"]) == 1
        assert c.post(reverse("registry:seedfund_delete", kwargs={"pk": fund.pk})).status_code == 302
        assert not SeedFund.objects.filter(pk=fund.pk).exists()
        # Another city's bureau cannot reach Suzhou's staffing row.
        staffing = rules_facts(world).staffing[0]
        other = as_user(Client(), world.users.bureau_nj)
        assert other.get(reverse("registry:carrierstaffing_detail", kwargs={"pk": staffing.pk})).status_code == 404
        assert CarrierStaffing.objects.filter(pk=staffing.pk).exists()

    @pytest.mark.parametrize("name", ["investment", "firmyearfigures", "intellectualproperty", "seedfund",
                                      "carrierstaffing"])
    def test_lists_are_scoped(self, client, world, name):
        rules_facts(world)
        rows = as_user(client, world.users.bureau_nj).get(reverse(f"registry:{name}_list")).context["rows"]
        assert len(rows) == 1
        assert as_user(Client(), world.users.operator_a).get(reverse(f"registry:{name}_create")).status_code == 200
