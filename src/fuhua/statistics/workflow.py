"""A report's states: draft → submitted → returned (comments per field) | accepted.

Operators submit; the reviewing bureau returns or accepts. An accepted report is locked: a
correction is an amendment (services.amend), a new version that goes through the same steps.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role, roles_of
from fuhua.core.workflow import ALLOWED, Decision, Transition, Workflow, forbidden, invalid

from .models import ReportStatus as S
from .reading import blocking_messages


def is_reviewer(user) -> bool:
    """The reviewer rule, in one place: the bureau (and the platform admin) reviews reports."""
    return bool(user and (user.is_superuser or roles_of(user) & {Role.ADMIN, Role.BUREAU}))


def _reviewer_only(user, report, **kwargs) -> Decision:
    return ALLOWED if is_reviewer(user) else forbidden(_("Only the reviewing bureau may do this."))


def _complete_and_explained(user, report, **kwargs) -> Decision:
    problems = blocking_messages(report)
    if not problems:
        return ALLOWED
    return invalid(_("The report cannot be submitted: %(n)d problem(s), e.g. %(first)s") % {
        "n": len(problems), "first": problems[0]})


def _submitted(report, by=None, **kwargs):
    report.submitted_at, report.submitted_by = timezone.now(), by


def _accepted(report, by=None, **kwargs):
    report.accepted_at, report.accepted_by = timezone.now(), by


REPORT_WORKFLOW = Workflow(
    "status",
    [
        Transition("submit", gettext_lazy("submit"), frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED,
                   effect=_submitted, guards=(_complete_and_explained,)),
        Transition("return", gettext_lazy("return for correction"), frozenset({S.SUBMITTED}), S.RETURNED,
                   needs_reason=True, guards=(_reviewer_only,)),
        Transition("accept", gettext_lazy("accept"), frozenset({S.SUBMITTED}), S.ACCEPTED, effect=_accepted,
                   guards=(_reviewer_only,)),
    ],
    model="statistics.AnnualReport",
)


def available(user, report) -> list[Transition]:
    """The steps this user may take now (the guards say who reviews and whether the report is complete)."""
    return REPORT_WORKFLOW.available(user, report)


def apply(user, report, name: str, reason: str = ""):
    return REPORT_WORKFLOW.apply(user, report, name, reason=reason, by=user)
