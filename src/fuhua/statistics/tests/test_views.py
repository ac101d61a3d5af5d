"""Statistics pages: the report form with prefill and messages, the steps, the overview, uploads."""

import pytest
from django.urls import reverse

from fuhua.statistics.models import AnnualReport, ReportStatus
from fuhua.statistics.testing import report
from fuhua.testing import login

from .workbooks import report_book, report_row

pytestmark = pytest.mark.django_db


def test_start_edit_and_submit_through_the_pages(client, world):
    c = login(client, world.users.operator_a)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the page text is asserted in its English source text
    listing = c.get(reverse("statistics:annualreport_list"))
    assert listing.status_code == 200 and "苏州纳米城孵化器" in listing.content.decode()
    started = c.post(reverse("statistics:annualreport_start"), {"carrier": world.carrier_a.pk, "year": 2024})
    r = AnnualReport.objects.get()
    assert started.status_code == 302 and started.url == reverse("statistics:annualreport_detail", args=[r.pk])
    page = c.get(started.url).content.decode()
    assert 'id="field-tenants"' in page and "incubation records" in page and 'name="events"' in page
    form = {"events": "24", "incubation_area_m2": "12000", "income_total_fen": "8000.5"}
    saved = c.post(reverse("statistics:annualreport_edit", args=[r.pk]), form)
    assert saved.status_code == 302
    from fuhua.statistics.services import values_of

    assert values_of(r)["income_total_fen"] == 800_050_000
    refused = c.post(reverse("statistics:annualreport_transition", args=[r.pk]), {"transition": "submit"})
    assert refused.status_code == 400 and "cannot be submitted" in refused.content.decode()
    bad = c.post(reverse("statistics:annualreport_edit", args=[r.pk]), {"events": "-3"})
    assert bad.status_code == 400


def test_review_steps_for_the_bureau(client, world):
    r = report(world.carrier_a, status=ReportStatus.SUBMITTED)
    c = login(client, world.users.bureau_sz)
    page = c.get(reverse("statistics:annualreport_detail", args=[r.pk])).content.decode()
    assert 'data-transition="accept"' in page and 'data-transition="return"' in page
    c.post(reverse("statistics:annualreport_comment", args=[r.pk]), {"code": "events", "kind": "return",
                                                                     "text": "活动场次偏少"})
    c.post(reverse("statistics:annualreport_transition", args=[r.pk]), {"transition": "return", "reason": "请核对"})
    r.refresh_from_db()
    assert r.status == ReportStatus.RETURNED
    op = login(client, world.users.operator_a).get(reverse("statistics:annualreport_detail", args=[r.pk]))
    assert "活动场次偏少" in op.content.decode()


def test_operator_does_not_see_review_steps(client, world):
    r = report(world.carrier_a, status=ReportStatus.SUBMITTED)
    page = login(client, world.users.operator_a).get(reverse("statistics:annualreport_detail", args=[r.pk]))
    assert 'data-transition="accept"' not in page.content.decode()


def test_amend_page(client, world):
    r = report(world.carrier_a, status=ReportStatus.ACCEPTED)
    c = login(client, world.users.operator_a)
    response = c.post(reverse("statistics:annualreport_amend", args=[r.pk]), {"reason": "口径更正"})
    assert response.status_code == 302 and AnnualReport.objects.filter(version=2).exists()


def test_overview_page(client, world):
    report(world.carrier_a, status=ReportStatus.ACCEPTED)
    page = login(client, world.users.bureau_js).get(reverse("statistics:overview"), {"year": 2024}).content.decode()
    assert 'data-city="320500"' in page and "南京紫金众创空间" in page
    association = login(client, world.users.association).get(reverse("statistics:overview"), {"year": 2024})
    assert association.status_code == 200 and "南京紫金众创空间" not in association.content.decode()
    assert login(client, world.users.firm_a).get(reverse("statistics:overview")).status_code == 403


def test_upload_dry_run_shows_errors_and_the_error_workbook(client, world, tmp_path):
    from fuhua.statistics.definitions import form_for_year
    from fuhua.statistics.testing import complete_values

    values = complete_values(form_for_year(2024))
    row = report_row(2024, world.carrier_a, values)
    row[5] = "很多"
    path = report_book(tmp_path / "r.xlsx", 2024, [row])
    c = login(client, world.users.bureau_sz)
    with open(path, "rb") as fh:
        response = c.post(reverse("statistics:upload"), {"file": fh, "year": 2024, "dry_run": "on"})
    html = response.content.decode()
    assert response.status_code == 400 and "很多" in html and "import-errors" in html
    token = response.context["token"]
    workbook = c.get(reverse("statistics:upload_errors", args=[token]))
    assert workbook.status_code == 200 and workbook["Content-Type"].startswith("application/vnd.openxml")
    other = login(client, world.users.bureau_nj).get(reverse("statistics:upload_errors", args=[token]))
    assert other.status_code == 404


def test_downloads(client, world):
    c = login(client, world.users.bureau_sz)
    for name in ("statistics:template", "statistics:export", "statistics:firm_template"):
        response = c.get(reverse(name))
        assert response.status_code == 200, name
        assert b"".join(response.streaming_content)[:2] == b"PK"
    assert login(client, world.users.firm_a).get(reverse("statistics:export")).status_code == 403


def test_firm_upload_page(client, world, tmp_path):
    c = login(client, world.users.bureau_sz)
    assert c.get(reverse("statistics:firm_upload")).status_code == 200
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with open(empty, "rb") as fh:
        response = c.post(reverse("statistics:firm_upload"), {"file": fh})
    assert response.status_code == 400
