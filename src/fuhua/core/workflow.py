"""Workflows declared as data: named transitions with source states, a target, who may take them
and what they require. `Workflow.apply` is the only way a workflow's state changes; the change is
audited with its reason by the signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .context import acting_for, change_reason
from .exceptions import Conflict
from .scoping import Decision, check


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # translatable (gettext_lazy)
    sources: frozenset[str]
    target: str
    needs_reason: bool = False
    # Extra effects on the object (set dates...), given the keyword arguments of apply().
    effect: Callable | None = None
    # Domain guards returning a Decision (e.g. the rules engine's admission check).
    guards: tuple[Callable, ...] = field(default_factory=tuple)


class Workflow:
    def __init__(self, state_field: str, transitions: list[Transition]):
        self.state_field = state_field
        self.transitions = {t.name: t for t in transitions}

    def available(self, user, obj) -> list[Transition]:
        return [t for t in self.transitions.values() if self.can(user, obj, t.name)]

    def can(self, user, obj, name: str) -> Decision:
        transition = self.transitions.get(name)
        if transition is None:
            return Decision(False, _("unknown step %(name)s") % {"name": name})
        state = getattr(obj, self.state_field)
        if state not in transition.sources:
            return Decision(
                False, _("cannot %(step)s from %(state)s") % {"step": transition.label, "state": state}
            )
        return check(user, "change", obj)

    @transaction.atomic
    def apply(self, user, obj, name: str, *, reason: str = "", **kwargs):
        """Take a step: Conflict from the wrong state, PermissionDenied outside the user's scope."""
        transition = self.transitions.get(name)
        state = getattr(obj, self.state_field)
        if transition is None or state not in transition.sources:
            raise Conflict(self.can(user, obj, name).reason)
        decision = check(user, "change", obj)
        if not decision:
            raise PermissionDenied(decision.reason)
        if transition.needs_reason and not reason.strip():
            raise ValidationError({"reason": _("A reason is required for this step.")})
        for guard in transition.guards:
            verdict = guard(user, obj, reason=reason, **kwargs)
            if not verdict:
                raise ValidationError({"status": verdict.reason})
        setattr(obj, self.state_field, transition.target)
        if transition.effect:
            transition.effect(obj, reason=reason, **kwargs)
        obj.full_clean()
        with acting_for(user), change_reason(reason or transition.label):
            obj.save()
        return obj
