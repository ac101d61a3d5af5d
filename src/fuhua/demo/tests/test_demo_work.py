"""Every printed demo account lands on real work: on the small demo, as of a fixed day, each account's inbox
is non-empty and every inbox link answers 200 with as many rows as the inbox counted."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from fuhua.accounts.roles import roles_of
from fuhua.core.inbox import inbox
from fuhua.demo.accounts import ensure_demo_accounts
from fuhua.demo.loader import load_demo
from fuhua.demo.testing import small_demo
from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.statistics.models import AnnualReport, ReportStatus
from fuhua.testing import rolled_back

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 2)  # after the 2025 statistics deadline (2026-03-31), before 2026's


def test_another_day_moves_the_data(db):
    # First in the module: the tests after it share one demo loaded as of TODAY (`demo_once`).
    load_demo("small", today=datetime.date(2031, 2, 10))
    # Before the 2030 deadline: 2030's reports in season, no 2031 report started yet.
    assert set(AnnualReport.objects.values_list("year", flat=True)) == {2028, 2029, 2030}
    season = AnnualReport.objects.filter(year=2030)
    assert season.filter(status=ReportStatus.DRAFT).count() > 0.2 * season.count()
    assert Incubation.objects.filter(entered_on__year=2030).exists()


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The small demo as of TODAY, loaded once for the module's tests (each in its own savepoint)."""
    with rolled_back(django_db_blocker):
        summary = small_demo(TODAY)
        yield summary, {row.username: row for row in ensure_demo_accounts().rows}


@pytest.fixture
def demo(demo_once, db):
    return demo_once


def test_every_account_has_work_and_its_links_open(client, demo, monkeypatch):
    _, rows = demo
    # The pages see the demo's day too, as the inbox does: a list filtered by a deadline (overdue requests)
    # counts what the inbox counted on any day the suite runs.
    real_localdate = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: (
        TODAY if value is None and timezone is None else real_localdate(value, timezone)))
    users = get_user_model().objects.filter(username__in=rows).order_by("username")
    # Every printed account exists (none reads "no object in the demo data"), however many the apps add.
    assert sorted(u.username for u in users) == sorted(rows)
    idle = [u.username for u in users if not inbox(u, roles_of(u), TODAY)]
    assert not idle, f"accounts with nothing to do: {idle}"
    for user in users:
        entries = inbox(user, roles_of(user), TODAY)
        client.force_login(user)
        for entry in entries:
            response = client.get(entry.url)
            assert response.status_code == 200, (user.username, entry.key, entry.url)
            page = response.context.get("page")
            if page is not None:  # a filtered list: the link shows what the inbox counted
                assert page.paginator.count == entry.count, (user.username, entry.key, entry.url)
            elif response.context.get("expiring"):  # the API tokens expiring soon (own and administered)
                shown = len(response.context["tokens"]) + len(response.context["others"] or [])
                assert shown == entry.count, (user.username, entry.key, entry.url)


def test_each_role_lands_on_its_own_work(demo):
    def keys(username):
        user = get_user_model().objects.get(username=username)
        return {e.key: e.count for e in inbox(user, roles_of(user), TODAY)}

    assert keys("bureau_sz")["statistics.review"] > 0 and keys("bureau_js")["statistics.review"] > 0
    operator = keys("operator")
    assert operator["statistics.due"] == 1  # its 2026 report, started and due 2027-03-31
    assert operator["incubation.applied"] > 0 or operator["incubation.admitted"] > 0
    assert keys("expert")["evaluation.reviews"] > 0
    firm = keys("firm")
    assert firm["incubation.own"] == 1
    # The service apps give the firm its own work: a request to rate, an entitlement to confirm, a voucher
    # expiring and a delivery to accept, a mentor's proposed pairing, the desk's notices.
    assert {"desk.to_rate", "desk.notices", "policies.confirm", "vouchers.expiring", "vouchers.accept",
            "mentoring.proposed"} <= set(firm)
    provider = keys("provider")
    assert provider["vouchers.confirm"] > 0 and provider["marketplace.products_rejected"] > 0
    # The desk's stewards (bureau staff) have new requests of their own to take.
    assert keys("steward_sz")["desk.steward_new"] > 0 and keys("steward_nj")["desk.steward_new"] > 0
    assert keys("association")["statistics.members"] > 0
    # 三员分立: each separated administrator has only its own kind of work.
    assert keys("sysadmin") == {"accounts.invited": 1, "accounts.no_role": 1}
    security = keys("secadmin_sz")
    assert security["accounts.locked"] == 1  # the clerk whose password was guessed as the demo loaded
    assert security["accounts.invited"] == 1 and security["accounts.tokens_expiring"] == 1
    assert "accounts.security_review" not in security
    audit = keys("auditor")
    assert set(audit) == {"accounts.security_review"}
    assert audit["accounts.security_review"] >= 4  # a role grant, an export, two failed sign-ins days ago


def test_dates_move_with_today(demo):
    """The histories end at the demo's today: reports up to the last complete year and the current year
    started, tenants inside their time limit, no date after today."""
    years = set(AnnualReport.objects.values_list("year", flat=True))
    assert years == {2023, 2024, 2025, 2026}
    assert not AnnualReport.objects.filter(year=2026).exclude(status=ReportStatus.DRAFT).exists()
    last = AnnualReport.objects.filter(year=2025)
    assert 0 < last.filter(status=ReportStatus.SUBMITTED).count() < 0.1 * last.count()  # late, awaiting review
    assert not Incubation.objects.filter(entered_on__gt=TODAY).exists()
    assert not Incubation.objects.filter(left_on__gt=TODAY).exists()
    incubating = Incubation.objects.filter(status=IncubationStatus.INCUBATING)
    long_ago = incubating.filter(entered_on__lt=TODAY - datetime.timedelta(days=60 * 31))
    assert long_ago.count() < 0.02 * incubating.count()  # past even the longest (60-month) limit: a few at most


def test_reported_figures_pass_the_forms_checks(demo):
    """What the demo's carriers submitted is consistent by their form's own checks (drafts may not be yet)."""
    from fuhua.statistics.definitions import get_form
    from fuhua.statistics.models import ReportValue
    from fuhua.statistics.validation import failed_checks

    done = AnnualReport.objects.exclude(status=ReportStatus.DRAFT)
    for code in set(done.values_list("form_code", flat=True)):
        ids = list(done.filter(form_code=code).values_list("pk", flat=True))
        rows: dict[int, dict] = {pk: {} for pk in ids}
        for report_id, field, value in ReportValue.objects.filter(report_id__in=ids).values_list(
                "report_id", "code", "value"):
            rows[report_id][field] = value
        failed = failed_checks(get_form(code), list(rows.values()))
        assert sum(map(bool, failed)) == 0, code
