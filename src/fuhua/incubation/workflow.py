"""The incubation record's states: applied → admitted → incubating → graduated | exited | expired."""

from django.utils import timezone

from fuhua.core.workflow import Transition, Workflow

from .models import IncubationStatus as S


def _enter(incubation, on=None, **_):
    incubation.entered_on = on or incubation.entered_on or timezone.localdate()


def _leave(incubation, on=None, reason="", **_):
    incubation.left_on = on or timezone.localdate()
    incubation.leave_reason = reason


INCUBATION_WORKFLOW = Workflow(
    "status",
    [
        Transition("admit", "admit", frozenset({S.APPLIED}), S.ADMITTED),
        Transition("start", "start incubation", frozenset({S.ADMITTED}), S.INCUBATING, effect=_enter),
        Transition("graduate", "graduate", frozenset({S.INCUBATING}), S.GRADUATED, needs_reason=True, effect=_leave),
        Transition(
            "exit", "exit", frozenset({S.APPLIED, S.ADMITTED, S.INCUBATING}), S.EXITED, needs_reason=True,
            effect=_leave,
        ),
        Transition("expire", "expire", frozenset({S.INCUBATING}), S.EXPIRED, needs_reason=True, effect=_leave),
    ],
)
