"""Incubation records through the API: status only moves by the workflow's transitions."""

import pytest

from fuhua.core.models import ObjectChange
from fuhua.incubation.models import Incubation
from fuhua.testing import api_client


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.mark.django_db
class TestIncubationApi:
    def test_an_operator_admits_and_starts_a_team(self, world):
        client = api_client(world.users.operator_b)
        created = post(client, "/api/v1/incubations", {"team": world.team_b.pk, "carrier": world.carrier_b.pk,
                                                       "applied_on": "2025-04-01"})
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["status"] == "applied" and body["team"]["id"] == world.team_b.pk and body["firm"] is None
        pk = body["id"]
        names = [t["name"] for t in client.get(f"/api/v1/incubations/{pk}/transitions").json()]
        assert names == ["admit", "exit"]
        assert post(client, f"/api/v1/incubations/{pk}/transitions/admit").json()["status"] == "admitted"
        started = post(client, f"/api/v1/incubations/{pk}/transitions/start", {"on": "2025-05-01"}).json()
        assert (started["status"], started["entered_on"]) == ("incubating", "2025-05-01")

    def test_graduation_needs_a_reason_and_records_it(self, world):
        client = api_client(world.users.operator_a)
        url = f"/api/v1/incubations/{world.inc_a.pk}/transitions/graduate"
        refused = post(client, url)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
        done = post(client, url, {"reason": "认定为高新技术企业", "on": "2025-06-30"})
        assert done.status_code == 200, done.content
        assert (done.json()["status"], done.json()["left_on"]) == ("graduated", "2025-06-30")
        change = ObjectChange.objects.filter(object_id=str(world.inc_a.pk), action="update").first()
        assert change.reason == "认定为高新技术企业" and change.username == "operator_a"

    def test_a_transition_from_the_wrong_state_conflicts(self, world):
        client = api_client(world.users.operator_a)
        before = ObjectChange.objects.count()
        response = post(client, f"/api/v1/incubations/{world.inc_a.pk}/transitions/admit")
        assert response.status_code == 409 and response.json()["code"] == "conflict"
        assert ObjectChange.objects.count() == before

    def test_unknown_transition_is_404(self, world):
        response = post(api_client(world.users.admin), f"/api/v1/incubations/{world.inc_a.pk}/transitions/fly")
        assert response.status_code == 404

    def test_status_is_read_only(self, world):
        client = api_client(world.users.admin)
        response = client.patch(f"/api/v1/incubations/{world.inc_a.pk}", {"status": "graduated"},
                                content_type="application/json")
        assert response.status_code == 422
        world.inc_a.refresh_from_db()
        assert world.inc_a.status == "incubating"
        body = {"firm": world.firm_a.pk, "carrier": world.carrier_a.pk, "status": "graduated"}
        assert post(client, "/api/v1/incubations", body).status_code == 422

    def test_firm_users_see_but_do_not_move_their_incubation(self, world):
        client = api_client(world.users.firm_a)
        assert client.get(f"/api/v1/incubations/{world.inc_a.pk}").status_code == 200
        assert client.get(f"/api/v1/incubations/{world.inc_a.pk}/transitions").json() == []
        response = post(client, f"/api/v1/incubations/{world.inc_a.pk}/transitions/exit", {"reason": "搬走"})
        assert response.status_code == 403
        assert Incubation.objects.get(pk=world.inc_a.pk).status == "incubating"

    def test_other_carriers_incubations_are_not_found(self, world):
        client = api_client(world.users.operator_b)
        assert client.get(f"/api/v1/incubations/{world.inc_a.pk}/transitions").status_code == 404
        response = post(client, f"/api/v1/incubations/{world.inc_a.pk}/transitions/exit", {"reason": "x"})
        assert response.status_code == 404

    def test_list_filters(self, world):
        client = api_client(world.users.bureau_js)
        items = client.get(f"/api/v1/incubations?carrier={world.carrier_b.pk}").json()["items"]
        assert {i["id"] for i in items} == {world.inc_b.pk, world.inc_team.pk}
        items = client.get("/api/v1/incubations?region=320500&status=incubating").json()["items"]
        assert {i["id"] for i in items} == {world.inc_a.pk}
        items = client.get("/api/v1/incubations?q=zijin").json()["items"]
        assert {i["id"] for i in items} == {world.inc_b.pk, world.inc_team.pk}
