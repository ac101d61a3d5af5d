"""Reports: prefill with sources, figures, validation, the workflow, amendments, the engines' read API,
the bureau overview and deadline reminders."""

import datetime

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fuhua.core.exceptions import Conflict
from fuhua.core.models import ObjectChange
from fuhua.statistics import services, workflow
from fuhua.statistics.models import AnnualReport, CommentKind, Reminder, ReportStatus, ValueOrigin
from fuhua.statistics.tasks import record_reminders
from fuhua.statistics.testing import complete_values, report

pytestmark = pytest.mark.django_db


def test_a_new_report_is_prefilled_from_the_registry(world):
    r = services.start_report(world.users.operator_a, world.carrier_a, 2024)
    values = {v.code: v for v in r.values.all()}
    assert values["incubation_area_m2"].value == 12000 and values["incubation_area_m2"].origin == ValueOrigin.PREFILL
    assert values["tenants"].value == 1 and values["tenants"].prefilled == 1  # firm_a, incubating since 2024-01
    assert values["tenants_new"].value == 1
    assert "events" not in values  # no registry source: the operator fills it in
    assert services.start_report(world.users.operator_a, world.carrier_a, 2024) == r  # opened again, not doubled
    assert r.form_code == "torch-2023"


def test_out_of_scope_carrier_cannot_be_started(world):
    with pytest.raises(PermissionDenied):
        services.start_report(world.users.operator_b, world.carrier_a, 2024)


def test_messages_name_field_code_and_label(world):
    r = report(world.carrier_a, staff_professional=30, staff_total=20, events=None)
    texts = [str(m) for m in services.messages_of(r)]
    assert "Events held this year [events]: required" in texts
    staff = [m for m in services.messages_of(r) if m.code == "staff_professional"]
    assert staff and staff[0].level == "error" and set(staff[0].codes) == {"staff_professional", "staff_total"}
    assert str(staff[0]).startswith("of which professional incubation staff [staff_professional]: Professional")


def test_save_values_refuses_unknown_codes_and_ranges(world):
    r = report(world.carrier_a)
    with pytest.raises(ValidationError) as exc:
        services.save_values(world.users.operator_a, r, {"nonsense": 1, "events": 2})
    assert "nonsense" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_values(world.users.operator_a, r, {"events": -1})
    assert "events" in exc.value.message_dict
    assert services.save_values(world.users.operator_a, r, {"events": 30}) == 1
    assert services.save_values(world.users.operator_a, r, {"events": 30}) == 0


def test_submit_return_accept_and_lock(world):
    op, bureau = world.users.operator_a, world.users.bureau_sz
    r = report(world.carrier_a)
    assert [t.name for t in workflow.available(op, r)] == ["submit"]
    workflow.apply(op, r, "submit")
    assert r.status == ReportStatus.SUBMITTED and r.submitted_by == op and r.submitted_at
    assert [t.name for t in workflow.available(op, r)] == []
    with pytest.raises(PermissionDenied):  # the operator may not accept their own report (403)
        workflow.apply(op, r, "accept")
    services.add_comment(bureau, r, "tenant_revenue_fen", "与企业年报不符", CommentKind.RETURN)
    with pytest.raises(ValidationError):
        workflow.apply(bureau, r, "return")  # a return needs a reason
    workflow.apply(bureau, r, "return", reason="请核对收入")
    assert r.status == ReportStatus.RETURNED
    assert r.comments.get(kind=CommentKind.RETURN).code == "tenant_revenue_fen"
    services.save_values(op, r, {"tenant_revenue_fen": 45_000_000_00})
    workflow.apply(op, r, "submit")
    workflow.apply(bureau, r, "accept")
    assert r.status == ReportStatus.ACCEPTED and r.accepted_by == bureau
    with pytest.raises(Conflict):
        services.save_values(op, r, {"events": 1})
    with pytest.raises(Conflict):
        workflow.apply(op, r, "submit")
    reasons = set(ObjectChange.objects.filter(object_id=str(r.pk), content_type__model="annualreport")
                  .values_list("reason", flat=True))
    assert "请核对收入" in reasons


def test_errors_block_submission(world):
    r = report(world.carrier_a, tenant_area_m2=20000)
    with pytest.raises(ValidationError) as exc:
        workflow.apply(world.users.operator_a, r, "submit")
    assert "tenant_area_m2" in str(exc.value)
    assert r.status == ReportStatus.DRAFT


def test_year_on_year_jumps_need_an_explanation(world):
    last = report(world.carrier_a, year=2023, status=ReportStatus.ACCEPTED)
    assert last.status == "accepted"
    r = report(world.carrier_a, year=2024, events=24 * 4)
    warnings = [m for m in services.messages_of(r) if m.level == "warning"]
    assert [m.code for m in warnings] == ["events"]
    with pytest.raises(ValidationError):
        workflow.apply(world.users.operator_a, r, "submit")
    services.add_comment(world.users.operator_a, r, "events", "新增了双创周活动", CommentKind.EXPLANATION)
    workflow.apply(world.users.operator_a, r, "submit")
    assert r.status == ReportStatus.SUBMITTED


def test_amendment_is_a_new_version_with_a_reason(world):
    r = report(world.carrier_a, status=ReportStatus.ACCEPTED)
    with pytest.raises(ValidationError):
        services.amend(world.users.operator_a, r, " ")
    new = services.amend(world.users.operator_a, r, "发现收入统计口径错误")
    assert (new.version, new.status, new.previous, new.amendment_reason) == (2, "draft", r, "发现收入统计口径错误")
    assert services.values_of(new) == services.values_of(r)
    with pytest.raises(Conflict):
        services.amend(world.users.operator_a, r, "again")  # only the latest version
    services.save_values(world.users.operator_a, new, {"income_total_fen": 9_000_000_00})
    # The accepted version stays in force for the engines until the amendment is accepted.
    assert services.figures([world.carrier_a.pk], 2024, ["income_total_fen"])["income_total_fen"][0] == 8_000_000_00
    latest = services.figures([world.carrier_a.pk], 2024, ["income_total_fen"], accepted_only=False)
    assert latest["income_total_fen"][0] == 9_000_000_00


def test_figures_for_the_engines(world):
    report(world.carrier_a, status=ReportStatus.ACCEPTED)
    report(world.carrier_b, status=ReportStatus.DRAFT)
    data = services.figures([world.carrier_b.pk, world.carrier_a.pk, 999999], 2024, ["tenants", "events"])
    assert data["tenants"].dtype == np.int64
    assert data["tenants"].tolist() == [0, 60, 0]
    assert data.present["tenants"].tolist() == [False, True, False]
    assert services.figures([world.carrier_b.pk], 2024, ["tenants"], accepted_only=False).present["tenants"][0]


def test_overview_per_city(world):
    report(world.carrier_a, status=ReportStatus.SUBMITTED)
    rows = {r.code: r for r in services.overview(world.users.bureau_js, 2024)}
    assert rows["320500"].submitted == 1 and rows["320100"].missing == 1
    assert [c.name for c, _ in rows["320100"].not_submitted] == ["南京紫金众创空间"]
    assert {r.code for r in services.overview(world.users.bureau_nj, 2024)} == {"320100"}
    association = services.overview(world.users.association, 2024)
    assert association and all(r.not_submitted == [] for r in association)


def test_reminders_near_the_deadline_once_per_step(world):
    report(world.carrier_a, year=2024, status=ReportStatus.SUBMITTED)
    assert record_reminders(datetime.date(2025, 1, 15)) == 0  # more than 30 days before
    assert record_reminders(datetime.date(2025, 3, 20)) == 1  # 11 days before: the 14-day step, carrier_b only
    assert record_reminders(datetime.date(2025, 3, 21)) == 0
    assert record_reminders(datetime.date(2025, 3, 25)) == 1  # the 7-day step
    assert record_reminders(datetime.date(2025, 4, 2)) == 1  # overdue
    assert set(Reminder.objects.values_list("carrier_id", flat=True)) == {world.carrier_b.pk}
    assert Reminder.objects.filter(days_before=-1).get().message.startswith("2024年度统计报表已逾期")


def test_reminder_task(world, settings):
    from fuhua.statistics.tasks import remind_unsubmitted

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    created = remind_unsubmitted.enqueue().return_value
    assert created == Reminder.objects.count()  # how many depends on today: the rows written, counted
    assert remind_unsubmitted.enqueue().return_value == 0  # once per step


def test_complete_values_pass_validation(world):
    from fuhua.statistics.definitions import form_for_year
    from fuhua.statistics.validation import validate

    for year in (2024, 2025):
        form = form_for_year(year)
        assert validate(form, complete_values(form)) == []


def test_reports_are_unique_per_version(world):
    report(world.carrier_a)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualReport.objects.create(carrier=world.carrier_a, year=2024, form_code="torch-2023")
