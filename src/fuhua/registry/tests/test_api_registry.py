"""The registry's REST endpoints: lists with filters, search, ordering and pages; CRUD; history."""

import datetime

import pytest

from fuhua.core.models import ObjectChange
from fuhua.registry.models import Carrier, Firm, FirmDesignation, Recognition
from fuhua.testing import api_client, credit_code


def ids(response) -> set:
    assert response.status_code == 200, response.content
    return {item.get("id", item.get("code")) for item in response.json()["items"]}


def valid_payloads(w) -> dict[str, dict]:
    """A valid creation body for every writable resource, inside the Suzhou bureau's scope."""
    return {
        "organisations": {"name": "苏州新运营有限公司", "credit_code": credit_code("320500"), "kind": "enterprise",
                          "region": "320571"},
        "carriers": {"name": "苏州新孵化器", "kind": "incubator", "operator": w.op_a.pk, "region": "320571",
                     "established": "2018-01-01", "incubation_area_m2": 5000, "tenant_area_m2": 4000},
        "recognitions": {"carrier": w.carrier_a.pk, "level": "provincial", "kind": "recognition",
                         "carrier_kind": "incubator", "authority": "江苏省科学技术厅",
                         "document_number": "苏科高发〔2021〕1号", "granted_on": "2021-05-01"},
        "firms": {"name": "苏州新创科技有限公司", "credit_code": credit_code("320571"), "founded": "2022-01-05",
                  "industry_field": "ai", "region": "320571"},
        "designations": {"firm": w.firm_a.pk, "kind": "high_tech", "granted_on": "2024-11-01"},
        "teams": {"name": "星湖机器人团队", "leader": "周全", "industry_field": "ai", "formed_on": "2025-01-01",
                  "region": "320571"},
        "mentors": {"name": "吴涛", "industry_field": "ai", "region": "320500", "carriers": [w.carrier_a.pk]},
        "investors": {"name": "郑洁", "institution": w.fund.pk, "focus_field": "ai", "region": "320500"},
        "incubations": {"firm": w.firm_a.pk, "carrier": w.carrier_a.pk, "applied_on": "2025-01-01"},
    }


# A field each resource lets the Suzhou bureau change, and the new value.
CHANGES = {
    "organisations": ("legal_representative", "张伟"),
    "carriers": ("address", "星湖街218号"),
    "recognitions": ("valid_until", "2030-12-31"),
    "firms": ("size_class", "small"),
    "designations": ("certificate_number", "GR202432000123"),
    "teams": ("members", 6),
    "mentors": ("title", "研究员"),
    "investors": ("position", "合伙人"),
    "incubations": ("applied_on", "2023-12-01"),
}


@pytest.mark.django_db
class TestLists:
    def test_carrier_region_filter_takes_everything_under_the_code(self, world):
        client = api_client(world.users.admin)
        assert ids(client.get("/api/v1/carriers?region=320500")) == {world.carrier_a.pk}
        assert ids(client.get("/api/v1/carriers?region=320000")) == {world.carrier_a.pk, world.carrier_b.pk}
        assert ids(client.get("/api/v1/carriers?region=320102")) == {world.carrier_b.pk}

    def test_carrier_filters(self, world):
        client = api_client(world.users.admin)
        assert ids(client.get("/api/v1/carriers?kind=maker_space")) == {world.carrier_b.pk}
        assert ids(client.get("/api/v1/carriers?level=national")) == {world.carrier_a.pk}
        assert ids(client.get("/api/v1/carriers?level=provincial&region=320500")) == set()
        assert ids(client.get("/api/v1/carriers?status=operating&specialisation=comprehensive")) == {
            world.carrier_a.pk, world.carrier_b.pk}

    def test_level_filter_ignores_revoked_recognitions(self, world):
        world.rec_a.revoked_on, world.rec_a.revoked_reason = datetime.date(2024, 1, 1), "评价不合格"
        world.rec_a.save()
        assert ids(api_client(world.users.admin).get("/api/v1/carriers?level=national")) == set()

    def test_firm_filters(self, world):
        client = api_client(world.users.admin)
        assert ids(client.get("/api/v1/firms?region=320500&industry_field=ai")) == {world.firm_a.pk}
        assert ids(client.get(f"/api/v1/firms?carrier={world.carrier_b.pk}")) == {world.firm_b.pk}
        FirmDesignation.objects.create(firm=world.firm_b, kind="high_tech", granted_on=datetime.date(2024, 1, 1))
        assert ids(client.get("/api/v1/firms?designation=high_tech")) == {world.firm_b.pk}
        assert client.get("/api/v1/firms?designation=tech_sme").json()["count"] == 2

    def test_unknown_region_in_a_filter_is_named(self, world):
        response = api_client(world.users.admin).get("/api/v1/firms?region=990000")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "region"

    def test_regions_filter_by_level_and_parent(self, world):
        client = api_client(world.users.firm_a)
        assert "320500" in ids(client.get("/api/v1/regions?parent=320000&level=prefecture"))
        assert ids(client.get("/api/v1/regions?parent=320500")) >= {"320571"}
        assert "320102" not in ids(client.get("/api/v1/regions?within=320500&limit=500"))

    @pytest.mark.parametrize("q", ["纳米城", "nami", "sznmc", "SZNMC"])
    def test_search_by_chinese_pinyin_and_initials(self, world, q):
        assert ids(api_client(world.users.admin).get(f"/api/v1/carriers?q={q}")) == {world.carrier_a.pk}

    def test_search_finds_firms_by_credit_code(self, world):
        code = world.firm_b.credit_code.lower()
        assert ids(api_client(world.users.admin).get(f"/api/v1/firms?q={code}")) == {world.firm_b.pk}

    def test_ordering_whitelist_and_direction(self, world):
        client = api_client(world.users.admin)
        names = [c["name"] for c in client.get("/api/v1/carriers?ordering=-incubation_area_m2").json()["items"]]
        assert names == [world.carrier_a.name, world.carrier_b.name]
        response = client.get("/api/v1/carriers?ordering=operator__credit_code")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ordering"

    def test_pagination(self, world, settings):
        client = api_client(world.users.admin)
        page = client.get("/api/v1/regions?limit=2&offset=1").json()
        assert page["limit"] == 2 and page["offset"] == 1 and len(page["items"]) == 2
        assert page["count"] > 2
        too_many = client.get(f"/api/v1/regions?limit={settings.API_PAGE_SIZE_MAX + 1}")
        assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "limit"

    def test_lists_do_not_query_per_row(self, world, django_assert_max_num_queries):
        for i in range(20):
            Firm.objects.create(name=f"苏州测试{i}有限公司", credit_code=credit_code("320571"),
                                founded=datetime.date(2022, 1, 1), industry_field="ai", region=world.regions.sip)
        client = api_client(world.users.bureau_sz)
        for url in ["/api/v1/firms?limit=100", "/api/v1/carriers", "/api/v1/mentors", "/api/v1/incubations",
                    "/api/v1/recognitions", "/api/v1/designations", "/api/v1/investors"]:
            # token, grants, count, page, prefetches: a constant, whatever the number of rows
            with django_assert_max_num_queries(8):
                assert client.get(url).status_code == 200


# the bureau views mentors' and investors' profiles; their holders (and the admin) keep them
BUREAU_VIEWS_ONLY = {"investors", "mentors"}


@pytest.mark.django_db
class TestWrites:
    @pytest.mark.parametrize("resource", sorted(CHANGES))
    def test_create_change_delete(self, world, resource):
        client = api_client(world.users.bureau_sz)
        created = client.post(f"/api/v1/{resource}", valid_payloads(world)[resource], content_type="application/json")
        assert created.status_code == (403 if resource in BUREAU_VIEWS_ONLY else 201), created.content
        if created.status_code == 403:  # a role without "add" here: check against the admin instead
            client = api_client(world.users.admin)
            created = client.post(f"/api/v1/{resource}", valid_payloads(world)[resource],
                                  content_type="application/json")
            assert created.status_code == 201, created.content
        pk = created.json()["id"]
        field, value = CHANGES[resource]
        changed = client.patch(f"/api/v1/{resource}/{pk}", {field: value}, content_type="application/json")
        assert changed.status_code == 200, changed.content
        assert changed.json()[field] == value
        actions = [c["action"] for c in client.get(f"/api/v1/{resource}/{pk}/history").json()["items"]]
        assert actions[0] == "update" and actions[-1] == "create"  # newest first
        assert client.delete(f"/api/v1/{resource}/{pk}").status_code == 204
        assert client.get(f"/api/v1/{resource}/{pk}").status_code == 404

    def test_create_outside_ones_region_is_refused_and_rolled_back(self, world):
        # An operator the Nanjing bureau may refer to (op_b): the Suzhou region itself is what is refused.
        payload = {**valid_payloads(world)["carriers"], "operator": world.op_b.pk}
        client = api_client(world.users.bureau_nj)
        before = (Carrier.objects.count(), ObjectChange.objects.count())
        response = client.post("/api/v1/carriers", payload, content_type="application/json",
                               headers={"Accept-Language": "en"})
        assert response.status_code == 403 and "scope" in response.json()["message"]
        assert (Carrier.objects.count(), ObjectChange.objects.count()) == before

    def test_moving_an_object_out_of_scope_is_refused(self, world):
        client = api_client(world.users.bureau_sz)
        response = client.patch(f"/api/v1/carriers/{world.carrier_a.pk}", {"region": "320102"},
                                content_type="application/json")
        assert response.status_code == 403
        world.carrier_a.refresh_from_db()
        assert world.carrier_a.region_id == "320571"

    def test_protected_delete_is_refused_with_the_reason(self, world):
        before = Carrier.objects.count()
        response = api_client(world.users.admin).delete(f"/api/v1/organisations/{world.op_a.pk}",
                                                        headers={"Accept-Language": "en"})
        assert response.status_code == 409
        assert "referred to" in response.json()["message"]
        assert Carrier.objects.count() == before

    def test_role_without_the_action_gets_403_with_reason(self, world):
        client = api_client(world.users.operator_a)
        response = client.delete(f"/api/v1/recognitions/{world.rec_a.pk}", headers={"Accept-Language": "en"})
        assert response.status_code == 403 and "may not delete" in response.json()["message"]
        assert Recognition.objects.filter(pk=world.rec_a.pk).exists()

    def test_visible_but_not_changeable(self, world):
        response = api_client(world.users.association).patch(
            f"/api/v1/carriers/{world.carrier_a.pk}", {"address": "x"}, content_type="application/json")
        assert response.status_code == 403

    def test_regions_are_read_only(self, world):
        client = api_client(world.users.admin)
        assert client.post("/api/v1/regions", {}, content_type="application/json").status_code == 405
        assert client.delete("/api/v1/regions/320500").status_code == 405

    def test_mentor_carriers_must_exist(self, world):
        payload = {**valid_payloads(world)["mentors"], "carriers": [world.carrier_a.pk, 999999]}
        response = api_client(world.users.admin).post("/api/v1/mentors", payload, content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "carriers"

    def test_history_shows_who_changed_what(self, world):
        client = api_client(world.users.bureau_sz)
        client.patch(f"/api/v1/firms/{world.firm_a.pk}", {"size_class": "small"}, content_type="application/json")
        latest = client.get(f"/api/v1/firms/{world.firm_a.pk}/history").json()["items"][0]
        assert latest["username"] == "bureau_sz" and latest["source"] == "api" and latest["action"] == "update"
        assert (latest["before"]["size_class"], latest["after"]["size_class"]) == ("micro", "small")
