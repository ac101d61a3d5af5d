"""The incubation record's states: applied → admitted → incubating → graduated | exited | expired."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.workflow import Transition, Workflow

from .admission import admission_guard
from .models import IncubationStatus as S


def _enter(incubation, on=None, **_):
    incubation.entered_on = on or incubation.entered_on or timezone.localdate()


def _leave(incubation, on=None, reason="", **_):
    incubation.left_on = on or timezone.localdate()
    incubation.leave_reason = reason


def _admission_rules(user, incubation, **kwargs):
    return admission_guard(user, incubation, **kwargs)


INCUBATION_WORKFLOW = Workflow(
    "status",
    [
        # Admission is checked against the tenant rules of the pack in force on the entry date.
        Transition("admit", _("admit"), frozenset({S.APPLIED}), S.ADMITTED, guards=(_admission_rules,)),
        Transition("start", _("start incubation"), frozenset({S.ADMITTED}), S.INCUBATING, effect=_enter),
        Transition("graduate", _("graduate"), frozenset({S.INCUBATING}), S.GRADUATED, needs_reason=True, effect=_leave),
        Transition(
            "exit", _("exit"), frozenset({S.APPLIED, S.ADMITTED, S.INCUBATING}), S.EXITED, needs_reason=True,
            effect=_leave,
        ),
        Transition("expire", _("expire"), frozenset({S.INCUBATING}), S.EXPIRED, needs_reason=True, effect=_leave),
    ],
    model="incubation.Incubation",
)
