"""The statistics API: reports, figures, steps, comments, amendments, the overview and uploads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fuhua.statistics.models import AnnualReport, ReportStatus
from fuhua.statistics.testing import report
from fuhua.testing import api_client as api

from .workbooks import report_book, report_row

pytestmark = pytest.mark.django_db


def test_start_fill_submit_accept(world):
    op, bureau = api(world.users.operator_a), api(world.users.bureau_sz)
    created = op.post("/api/v1/reports", {"carrier": world.carrier_a.pk, "year": 2024},
                      content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    values = op.get(f"/api/v1/reports/{pk}/values").json()
    tenants = next(v for v in values["values"] if v["code"] == "tenants")
    assert tenants["value"] == 1 and tenants["source"] and tenants["origin"] == "prefill"
    assert any(m["code"] == "events" for m in values["blocking"])
    from fuhua.statistics.definitions import form_for_year
    from fuhua.statistics.testing import complete_values

    put = op.put(f"/api/v1/reports/{pk}/values", {"values": complete_values(form_for_year(2024), tenants=1,
                                                                            tenants_with_ip=1,
                                                                            tenants_patent_applicants=1)},
                 content_type="application/json")
    assert put.status_code == 200 and put.json()["blocking"] == [], put.json()["blocking"]
    bad = op.put(f"/api/v1/reports/{pk}/values", {"values": {"nope": 1}}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "nope"
    assert [t["name"] for t in op.get(f"/api/v1/reports/{pk}/transitions").json()] == ["submit"]
    assert op.post(f"/api/v1/reports/{pk}/transitions/submit", {}, content_type="application/json").status_code == 200
    assert op.post(f"/api/v1/reports/{pk}/transitions/accept", {}, content_type="application/json").status_code == 403
    assert bureau.post(f"/api/v1/reports/{pk}/transitions/nonsense", {},
                       content_type="application/json").status_code == 404
    accepted = bureau.post(f"/api/v1/reports/{pk}/transitions/accept", {}, content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    locked = op.put(f"/api/v1/reports/{pk}/values", {"values": {"events": 1}}, content_type="application/json")
    assert locked.status_code == 409
    amended = op.post(f"/api/v1/reports/{pk}/amend", {"reason": "更正"}, content_type="application/json")
    assert amended.status_code == 201 and amended.json()["version"] == 2


def test_comments_and_return(world):
    r = report(world.carrier_a, status=ReportStatus.SUBMITTED)
    bureau = api(world.users.bureau_sz)
    made = bureau.post(f"/api/v1/reports/{r.pk}/comments", {"code": "events", "text": "请核对", "kind": "return"},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    assert bureau.post(f"/api/v1/reports/{r.pk}/transitions/return", {"reason": ""},
                       content_type="application/json").status_code == 422
    assert bureau.post(f"/api/v1/reports/{r.pk}/transitions/return", {"reason": "请核对活动场次"},
                       content_type="application/json").json()["status"] == "returned"
    assert [c["text"] for c in api(world.users.operator_a).get(f"/api/v1/reports/{r.pk}/comments").json()] == ["请核对"]


def test_lists_are_scoped(world):
    report(world.carrier_a)
    report(world.carrier_b)
    assert api(world.users.bureau_nj).get("/api/v1/reports").json()["count"] == 1
    assert api(world.users.bureau_js).get("/api/v1/reports?region=320500").json()["count"] == 1
    assert api(world.users.association).get("/api/v1/reports").status_code == 403


def test_overview_api(world):
    report(world.carrier_a, status=ReportStatus.ACCEPTED)
    body = api(world.users.bureau_js).get("/api/v1/stats/overview?year=2024").json()
    cities = {c["code"]: c for c in body["cities"]}
    assert cities["320500"]["accepted"] == 1 and cities["320100"]["not_submitted"][0]["name"] == "南京紫金众创空间"
    assert body["totals"]["tenants"] == 60
    association = api(world.users.association).get("/api/v1/stats/overview?year=2024").json()
    assert all(c["not_submitted"] == [] for c in association["cities"]) and association["totals"]["tenants"] == 60


def test_upload_dry_run_and_import(world, tmp_path):
    from fuhua.statistics.definitions import form_for_year
    from fuhua.statistics.testing import complete_values

    path = report_book(tmp_path / "r.xlsx", 2024,
                       [report_row(2024, world.carrier_a, complete_values(form_for_year(2024)))])
    client = api(world.users.bureau_sz)
    with open(path, "rb") as fh:
        dry = client.post("/api/v1/stats/imports/reports", {"file": fh, "year": 2024, "dry_run": True})
    assert dry.status_code == 200 and dry.json()["ok"] and dry.json()["created"] == 1 and not dry.json()["written"]
    assert not AnnualReport.objects.exists()
    with open(path, "rb") as fh:
        done = client.post("/api/v1/stats/imports/reports", {"file": fh, "year": 2024, "dry_run": False})
    assert done.json()["written"] and AnnualReport.objects.count() == 1
    with open(path, "rb") as fh:
        refused = api(world.users.bureau_nj).post("/api/v1/stats/imports/reports",
                                                  {"file": fh, "year": 2024, "dry_run": False})
    assert not refused.json()["ok"] and refused.json()["errors"][0]["row"] == 2
    firm = client.post("/api/v1/stats/imports/firms", {"file": SimpleUploadedFile("x.xlsx", b"junk"), "dry_run": True})
    # not a workbook: a checked result naming the file, nothing written
    assert firm.status_code == 200 and not firm.json()["ok"] and not firm.json()["written"]
    assert firm.json()["errors"][0]["sheet"] == "x.xlsx" and firm.json()["error_count"] == 1
    denied = api(world.users.association).post("/api/v1/stats/imports/firms", {})
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
