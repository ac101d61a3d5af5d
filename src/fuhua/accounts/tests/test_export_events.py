"""Every export that leaves the product is a security event with the user, the client address, what was
exported, with which filters and how many rows (MLPS 2.0): list exports, the ledger, evaluation results
(page and API), the statistics workbook, and the ledger and statistics commands."""

import datetime

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse

from fuhua.accounts.models import SecurityEvent
from fuhua.testing import api_client

pytestmark = pytest.mark.django_db
ADDRESS = "198.51.100.77"


def _exports(username: str) -> list[dict]:
    return [{"ip": e.ip, **e.detail} for e in SecurityEvent.objects.filter(kind="export", username=username)
            .order_by("id")]


def _client(user) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(user)
    return client


def test_a_list_export_is_recorded_with_its_filters_and_rows(world):
    response = _client(world.users.bureau_js).get(reverse("registry:carrier_list"), {"export": "csv", "q": "纳米"})
    assert response.status_code == 200
    assert _exports("bureau_js") == [{"ip": ADDRESS, "what": "registry.carrier", "filters": {"q": "纳米"},
                                      "rows": 1, "format": "csv"}]
    _client(world.users.bureau_js).get(reverse("registry:carrier_list"))  # viewing the list is no export
    assert len(_exports("bureau_js")) == 1


def test_the_ledger_export_is_recorded(world):
    from fuhua.policies.models import Payout, Policy

    policy = Policy.objects.create(code="test-policy", title="t", region=world.carrier_a.region,
                                   effective_from=datetime.date(2024, 1, 1))
    Payout.objects.create(policy=policy, carrier=world.carrier_a, key="k1", group="g", period=2024,
                          budget_year=2024, region_code=world.carrier_a.region_id, amount_fen=100,
                          paid_on=datetime.date(2024, 5, 1))
    response = _client(world.users.bureau_sz).get(reverse("policies:payout_export"), {"policy": "test-policy"})
    assert response.status_code == 200
    assert _exports("bureau_sz") == [{"ip": ADDRESS, "what": "policies.payout", "filters": {"policy": "test-policy"},
                                      "rows": 1, "format": "xlsx"}]


def test_evaluation_exports_by_page_and_api_are_recorded(world):
    from fuhua.evaluation.testing import accepted_reports, computed_run

    accepted_reports(world)
    run = computed_run(world.users.bureau_sz, "js-incubator-2024", world.regions.sz)
    page = _client(world.users.bureau_sz).get(reverse("evaluation:evaluationrun_export", args=[run.pk]))
    api = api_client(world.users.bureau_sz).get(f"/api/v1/evaluation-runs/{run.pk}/export",
                                                REMOTE_ADDR="198.51.100.78")
    assert page.status_code == api.status_code == 200
    expected = {"what": "evaluation.evaluationresult", "filters": {"run": run.pk}, "rows": 1, "format": "xlsx"}
    assert _exports("bureau_sz") == [{"ip": ADDRESS, **expected}, {"ip": "198.51.100.78", **expected}]


def test_the_statistics_export_is_recorded(world):
    from fuhua.evaluation.testing import accepted_reports

    accepted_reports(world)
    response = _client(world.users.bureau_js).get(reverse("statistics:export"), {"year": 2024})
    assert response.status_code == 200
    [event] = _exports("bureau_js")
    assert (event["ip"], event["what"], event["rows"], event["filters"]["year"]) == (
        ADDRESS, "statistics.annualreport", 2, 2024)


def test_command_exports_are_recorded_for_the_acting_user(world, tmp_path):
    from fuhua.policies import cli as policies_cli

    result = CliRunner().invoke(policies_cli.policy, ["export", "--out", str(tmp_path / "l.xlsx"),
                                                      "--user", "bureau_sz"])
    assert result.exit_code == 0, result.output
    assert _exports("bureau_sz") == [{"ip": None, "what": "policies.payout", "filters": {"policy": ""},
                                      "rows": 0, "format": "xlsx"}]


def test_a_command_run_as_the_system_is_recorded_as_the_system(world, tmp_path):
    from fuhua.statistics.cli import stats

    result = CliRunner().invoke(stats, ["export", "--year", "2024", "-o", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 0, result.output
    assert [(e["what"], e["rows"]) for e in _exports("system")] == [("statistics.annualreport", 0)]
