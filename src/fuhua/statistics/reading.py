"""Reading a report: its form, values, last year's accepted values, and the validation messages that
block submission. Beneath both services.py and workflow.py (the submit guard), so that each imports it at
the top: services → workflow → reading, with no cycle.
"""

from __future__ import annotations

from .definitions import FormDefinition, get_form
from .models import AnnualReport, CommentKind, ReportStatus
from .validation import Message, blocking, validate


def form_of(report: AnnualReport) -> FormDefinition:
    return get_form(report.form_code)


def values_of(report: AnnualReport) -> dict[str, int | None]:
    return dict(report.values.values_list("code", "value"))


def previous_accepted(carrier_id: int, year: int) -> AnnualReport | None:
    return (AnnualReport.objects.filter(carrier_id=carrier_id, year=year, status=ReportStatus.ACCEPTED)
            .order_by("-version").first())


def last_year_values(report: AnnualReport) -> dict[str, int | None]:
    before = previous_accepted(report.carrier_id, report.year - 1)
    return values_of(before) if before else {}


def explained_codes(report: AnnualReport) -> set[str]:
    return set(report.comments.filter(kind=CommentKind.EXPLANATION).values_list("code", flat=True))


def messages_of(report: AnnualReport) -> list[Message]:
    return validate(form_of(report), values_of(report), last_year_values(report))


def blocking_messages(report: AnnualReport) -> list[Message]:
    return blocking(messages_of(report), explained_codes(report))
