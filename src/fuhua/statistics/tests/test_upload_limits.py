"""Upload endpoints (F6): a file over the endpoint's cap is refused with 413 and a message, whether it was
stopped on the way in (over the hard cap) or measured after; a hostile workbook gets a clean import error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuhua.statistics.models import AnnualReport
from fuhua.testing import api_client as api

from .test_upload_guard import with_cell

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def test_api_refuses_a_file_over_the_endpoint_cap(world, settings):
    settings.FUHUA_UPLOAD_MAX_BYTES = 1000
    response = api(world.users.bureau_sz).post("/api/v1/stats/imports/reports", {
        "file": SimpleUploadedFile("big.csv", b"x" * 5000), "year": 2024, "dry_run": True})
    assert response.status_code == 413, response.content
    body = response.json()
    assert body["code"] == "too_large"
    assert body["message"] == "big.csv is 4.9 KB, more than the 1000 B allowed here; split it into smaller files."
    assert body["errors"] == [{"field": "file", "message": body["message"], "code": "too_large"}]


def test_api_refuses_a_file_stopped_on_the_way_in(world, settings):
    settings.FUHUA_UPLOAD_HARD_MAX_BYTES = 64 * 1024  # the handler stops receiving past this
    payload = b"a," * (200 * 1024)
    response = api(world.users.bureau_sz).post("/api/v1/stats/imports/firms",
                                               {"file": SimpleUploadedFile("firms.csv", payload), "dry_run": True})
    assert response.status_code == 413, response.content
    assert response.json()["message"] == (
        "firms.csv is larger than 64 KB and was not accepted; split it into smaller files.")


def test_api_without_a_file_says_so(world):
    response = api(world.users.bureau_sz).post("/api/v1/stats/imports/firms", {"dry_run": True})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"


def test_api_import_of_a_cell_at_xfd1048576_is_a_clean_error(world):
    response = api(world.users.bureau_sz).post(
        "/api/v1/stats/imports/reports", {"file": SimpleUploadedFile("bomb.xlsx", with_cell("XFD1048576", 1048576)),
                                          "year": 2024, "dry_run": False})
    assert response.status_code == 200, response.content
    body = response.json()
    assert not body["ok"] and not body["written"] and "too large to import" in body["errors"][0]["message"]
    assert not AnnualReport.objects.exists()


def test_upload_page_refuses_a_file_over_the_cap(client, world, settings):
    settings.FUHUA_FIRM_UPLOAD_MAX_BYTES = 1000
    client.force_login(world.users.bureau_sz)
    response = client.post(reverse("statistics:firm_upload"),
                           {"file": SimpleUploadedFile("big.csv", b"x" * 5000), "dry_run": "on"})
    assert response.status_code == 413
    assert "big.csv is 4.9 KB, more than the 1000 B allowed here" in response.content.decode()
