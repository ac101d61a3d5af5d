"""The API, pages and CLI are thin layers over the services: one pass through each."""

import json

import pytest
from click.testing import CliRunner
from django.test import Client

from fuhua.evaluation.cli import evaluate
from fuhua.evaluation.testing import accepted_reports, evaluation_world
from fuhua.testing import api_client as _api


@pytest.mark.django_db
def test_a_bureau_runs_an_evaluation_through_the_api(world):
    accepted_reports(world)
    api = _api(world.users.bureau_sz)
    response = api.post("/api/v1/evaluation-runs", {"scheme": "js-incubator-2024", "period": 2024,
                                                     "region": "320500"}, content_type="application/json")
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["status"] == "draft" and run["region"]["code"] == "320500"
    bad = api.post("/api/v1/evaluation-runs", {"scheme": "nope", "period": 2024, "region": "320500"},
                   content_type="application/json")
    assert bad.status_code == 422 and "unknown scheme" in bad.json()["errors"][0]["message"]
    steps = api.get(f"/api/v1/evaluation-runs/{run['id']}/transitions").json()
    assert [s["name"] for s in steps] == ["compute"]
    computed = api.post(f"/api/v1/evaluation-runs/{run['id']}/transitions/compute", {"reason": ""},
                        content_type="application/json")
    assert computed.json()["status"] == "computed" and len(computed.json()["scheme_sha256"]) == 64
    assert api.post(f"/api/v1/evaluation-runs/{run['id']}/transitions/close", {},
                    content_type="application/json").status_code == 409
    dist = api.get(f"/api/v1/evaluation-runs/{run['id']}/distribution").json()
    assert dist["graded"] == 1 and dist["total"] == 1
    export = api.get(f"/api/v1/evaluation-runs/{run['id']}/export")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    results = api.get("/api/v1/evaluation-results", {"run": run["id"]}).json()
    card = api.get(f"/api/v1/evaluation-results/{results['items'][0]['id']}/scorecard").json()
    assert {g["code"] for g in card["groups"]} == {"service", "performance", "sustainability"}
    indicator = card["groups"][1]["indicators"][0]
    assert indicator["formula"] and indicator["normalisation"] and indicator["data"] and indicator["assumed"]
    assert card["raise"]["kind"] in {"raise", "top", "veto", "quota_full"}


@pytest.mark.django_db
def test_operators_read_their_scorecard_and_appeal_experts_score(world):
    ev = evaluation_world(world)
    operator = _api(world.users.operator_a)
    card = operator.get(f"/api/v1/evaluation-results/{ev.result_a.pk}/scorecard").json()
    assert card["carrier"]["id"] == world.carrier_a.pk
    qualitative = [i for g in card["groups"] for i in g["indicators"] if i["qualitative"]]
    assert qualitative and all("experts" not in i for i in qualitative)  # aggregate only for carriers
    appeal = operator.post("/api/v1/appeals", {"result": ev.result_a.pk, "reason": "漏报专利"},
                           content_type="application/json")
    assert appeal.status_code == 201, appeal.content
    late = _api(world.users.expert).post(f"/api/v1/expert-assignments/{ev.assignment_a.pk}/scores",
                                         {"indicator": "service_system", "score": 90}, content_type="application/json")
    assert late.status_code == 409  # the run is published: scores are closed


@pytest.mark.django_db
def test_pages_render(world):
    ev = evaluation_world(world)
    client = Client()
    client.force_login(world.users.bureau_js)
    page = client.get(f"/evaluation/runs/{ev.run_sz.pk}/")
    assert page.status_code == 200 and b"<svg" in page.content and "江苏".encode() in page.content
    card = client.get(f"/evaluation/results/{ev.result_a.pk}/")
    assert card.status_code == 200 and "服务能力".encode() in card.content
    assert client.get("/evaluation/runs/").status_code == 200
    assert client.get("/evaluation/results/").status_code == 200
    assert client.get(f"/evaluation/appeals/{ev.appeal_a.pk}/").status_code == 200
    operator = Client()
    operator.force_login(world.users.operator_a)
    assert operator.get(f"/evaluation/results/{ev.result_a.pk}/").status_code == 200
    assert operator.get(f"/evaluation/runs/{ev.run_sz.pk}/").status_code == 403


@pytest.mark.django_db
def test_cli_scores_in_memory(world, tmp_path):
    accepted_reports(world)
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(evaluate, ["--scheme", "js-incubator-2024", "--period", "2024", "--region", "320000",
                                           "--json", "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["carrier_id"] for r in data["rows"]] == [world.carrier_a.pk] and out.exists()
    bad = CliRunner().invoke(evaluate, ["--scheme", "nope", "--period", "2024"])
    assert bad.exit_code == 2 and "unknown scheme" in bad.output
