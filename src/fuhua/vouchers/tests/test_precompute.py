"""Eligibility stored before the rush without anyone running a command: publishing a batch that takes claims today
enqueues the precompute, and the daily run stores the day's checks of every programme taking claims."""

import datetime

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fuhua.vouchers.models import EligibilityCheck
from fuhua.vouchers.services.eligibility import firms_in_region
from fuhua.vouchers.tasks import precompute_eligibility, programmes_claimable
from fuhua.vouchers.testing import open_batch

TASK = "fuhua.vouchers.tasks.precompute_eligibility"


def test_publishing_a_batch_open_today_enqueues_the_precompute(v, django_capture_on_commit_callbacks):
    before = DBTaskResult.objects.filter(task_path=TASK).count()
    with django_capture_on_commit_callbacks(execute=True):
        open_batch(v.prog_a, 21)
    assert DBTaskResult.objects.filter(task_path=TASK).count() == before + 1


def test_publishing_a_batch_opening_next_week_leaves_it_to_the_daily_run(v, django_capture_on_commit_callbacks):
    before = DBTaskResult.objects.filter(task_path=TASK).count()
    with django_capture_on_commit_callbacks(execute=True):
        open_batch(v.prog_a, 22, opens_in=datetime.timedelta(days=7))
    assert DBTaskResult.objects.filter(task_path=TASK).count() == before


def test_the_daily_run_stores_every_firm_of_each_claimable_programme(v):
    today = timezone.localdate()
    assert [p.code for p in programmes_claimable(today)] == [v.prog_a.code, v.prog_b.code]
    EligibilityCheck.objects.filter(as_of=today).delete()
    result = precompute_eligibility.call()
    for programme in (v.prog_a, v.prog_b):
        firms = firms_in_region(programme.region_id).count()
        assert firms > 0
        assert result[programme.code] == firms
        assert EligibilityCheck.objects.filter(programme=programme, as_of=today).count() == firms
    assert precompute_eligibility.call() == {v.prog_a.code: 0, v.prog_b.code: 0}  # already stored: nothing again


def test_a_programme_whose_batches_closed_is_not_precomputed(v):
    assert v.prog_a not in programmes_claimable(timezone.localdate() + datetime.timedelta(days=400))
