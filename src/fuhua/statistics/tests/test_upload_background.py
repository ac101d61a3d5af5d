"""F14: large imports run in the worker: the API answers 202 with a job to poll, the page follows it with htmx;
the file is checked whole before anything is written, then written a chunk per transaction; uploads go on
success, failed ones stay for their error workbook until the retention period ends."""

import csv
import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuhua.core.schedule import periodic_tasks
from fuhua.registry.models import Firm
from fuhua.statistics.exchange import jobs
from fuhua.statistics.tasks import cleanup_uploads, run_import
from fuhua.testing import api_client as api
from fuhua.testing import credit_code

pytestmark = pytest.mark.django_db
HEADER = ["统一社会信用代码", "企业名称", "成立日期", "行业领域", "企业规模", "注册地区划代码"]


@pytest.fixture(autouse=True)
def _small_threshold(settings, tmp_path):
    settings.FUHUA_IMPORT_BACKGROUND_BYTES = 200
    settings.FUHUA_HOME = tmp_path
    settings.LANGUAGE_CODE = "en"


def firms_csv(n: int, bad_row: int | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(n):
        writer.writerow([credit_code("320571"), f"苏州后台{i}号科技有限公司", "2024-03-01" if i != bad_row else "明年",
                         "人工智能", "小型", "320571"])
    return out.getvalue().encode("utf-8-sig")


def test_api_queues_a_large_import_and_reports_progress_and_result(world):
    client = api(world.users.bureau_sz)
    before = Firm.objects.count()
    response = client.post("/api/v1/stats/imports/firms",
                           {"file": SimpleUploadedFile("firms.csv", firms_csv(12_000)), "dry_run": False})
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "queued" and job["status_url"] == f"/api/v1/stats/imports/jobs/{job['id']}"
    assert Firm.objects.count() == before  # nothing happens in the request
    assert jobs.upload_path(job["id"]).exists()

    out = run_import.call(job["id"])  # what the worker does
    assert out["ok"] and out["created"] == 12_000
    status = client.get(job["status_url"]).json()
    assert status["status"] == "done" and status["phase"] == "writing" and status["rows"] == 12_000
    assert status["result"]["written"] and status["result"]["created"] == 12_000
    assert Firm.objects.count() == before + 12_000
    assert not jobs.upload_path(job["id"]).exists()  # deleted on success
    assert api(world.users.bureau_nj).get(job["status_url"]).status_code == 404  # someone else's job


def test_errors_found_while_checking_write_nothing_and_keep_the_file(world):
    client = api(world.users.bureau_sz)
    before = Firm.objects.count()
    job = client.post("/api/v1/stats/imports/firms",
                      {"file": SimpleUploadedFile("bad.csv", firms_csv(12_000, bad_row=11_000)),
                       "dry_run": False}).json()
    out = run_import.call(job["id"])
    assert not out["ok"] and not out["written"] and out["errors"][0]["row"] == 11_002
    assert "nothing was written" in out["summary"]
    assert Firm.objects.count() == before  # the first two chunks were not written either
    assert jobs.upload_path(job["id"]).exists()  # kept for the error workbook


def test_failed_uploads_are_removed_after_the_retention_period(world, settings):
    settings.FUHUA_UPLOAD_RETENTION_DAYS = 7
    token = jobs.store_upload(SimpleUploadedFile("old.csv", b"x"))
    fresh = jobs.store_upload(SimpleUploadedFile("new.csv", b"y"))
    old_time = time.time() - 8 * 86400
    os.utime(jobs.upload_path(token), (old_time, old_time))
    (jobs.upload_dir() / "unrelated.txt").write_text("not an upload")
    os.utime(jobs.upload_dir() / "unrelated.txt", (old_time, old_time))
    assert cleanup_uploads.call() == 1
    assert not jobs.upload_path(token).exists() and jobs.upload_path(fresh).exists()
    assert (jobs.upload_dir() / "unrelated.txt").exists()
    assert "uploads.cleanup" in {entry.name for entry in periodic_tasks()}


def test_upload_page_follows_a_background_import(client, world):
    client.force_login(world.users.bureau_sz)
    response = client.post(reverse("statistics:firm_upload"),
                           {"file": SimpleUploadedFile("firms.csv", firms_csv(50)), "dry_run": ""})
    assert response.status_code == 202
    page = response.content.decode()
    token = page.split('data-job="')[1].split('"')[0]
    status_url = reverse("statistics:import_job", kwargs={"token": token})
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page
    run_import.call(token)
    fragment = client.get(status_url).content.decode()
    assert 'data-status="done"' in fragment and "hx-get" not in fragment
    assert "50 rows read: 50 were created" in fragment
    assert client.get(status_url, {"format": "json"}).json()["result"]["created"] == 50


def test_chunks_are_committed_one_by_one_and_a_late_conflict_says_what_was_written(world):
    """Between the check and the write, someone registers a firm of the file's second chunk outside the
    bureau's scope: the first chunk is already committed (its own transaction), the second is refused."""
    from fuhua.registry.models import Region
    from fuhua.statistics.exchange.firms import import_firms

    data = firms_csv(7_000)
    second_chunk_code = data.decode("utf-8-sig").splitlines()[6_000].split(",")[0]

    def progress(rows, phase):
        if phase == "writing" and rows == 5_000:
            Firm.objects.create(name="南京抢先注册科技有限公司", credit_code=second_chunk_code,
                                region=Region.objects.get(code="320102"), founded="2024-01-01",
                                industry_field="ai")

    result = import_firms(data, "firms.csv", world.users.bureau_sz, progress=progress, chunked=True)
    assert not result.ok and not result.written and result.rows_written == 5_000
    assert "the first 5,000 rows were written" in result.summary()
    assert Firm.objects.filter(name__startswith="苏州后台").count() == 5_000


def test_a_failed_background_import_offers_its_error_workbook(client, world):
    client.force_login(world.users.bureau_sz)
    response = client.post(reverse("statistics:firm_upload"),
                           {"file": SimpleUploadedFile("bad.csv", firms_csv(20, bad_row=3)), "dry_run": "on"})
    token = response.content.decode().split('data-job="')[1].split('"')[0]
    run_import.call(token)
    fragment = client.get(reverse("statistics:import_job", kwargs={"token": token})).content.decode()
    errors_url = reverse("statistics:upload_errors", kwargs={"token": token})
    assert 'data-status="done"' in fragment and errors_url in fragment and "明年" in fragment
    workbook = client.get(errors_url)
    assert workbook.status_code == 200 and b"".join(workbook.streaming_content)[:2] == b"PK"
