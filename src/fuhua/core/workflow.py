"""Workflows declared as data: named transitions with source states, a target, who may take them
and what they require. `Workflow.apply` (one object) and `Workflow.apply_bulk` (many at once) are the
only ways a workflow's state changes; both decide through `Workflow.can`, so what a page or the API
offers (`available`) is exactly what `apply` accepts. Changes are audited with their reason.

`can` answers a `Decision` whose `code` says why a step cannot be taken:

- ``forbidden`` (HTTP 403): this user may not take it (role, scope, a guard about who acts);
- ``conflict`` (HTTP 409): not from the object's current state, or not now (a deadline, pending appeals);
- ``invalid`` (HTTP 422): the step's input is missing or wrong (a reason, an amount).

The acting user is always explicit: `None` is refused; the platform acting on its own (scheduled tasks,
demo loading) passes `fuhua.core.system.SYSTEM`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import scoping
from .context import acting_for, change_reason
from .exceptions import Conflict

FORBIDDEN, CONFLICT, INVALID = "forbidden", "conflict", "invalid"
HTTP_STATUS = {FORBIDDEN: 403, CONFLICT: 409, INVALID: 422}


@dataclass(frozen=True)
class Decision(scoping.Decision):
    """A scoping decision with the kind of refusal (`code`) and, for invalid input, the field it concerns."""

    code: str = ""
    field: str = ""

    @property
    def http_status(self) -> int:
        return 200 if self.allowed else HTTP_STATUS.get(self.code, 422)

    def raise_if_refused(self) -> None:
        """Raise what the views and the API turn into 403 / 409 / 422."""
        if self.allowed:
            return
        if self.code == FORBIDDEN:
            raise PermissionDenied(self.reason)
        if self.code == CONFLICT:
            raise Conflict(self.reason)
        raise ValidationError({self.field or "status": self.reason})


ALLOWED = Decision(True)


def forbidden(reason: str) -> Decision:
    return Decision(False, reason, FORBIDDEN)


def conflict(reason: str) -> Decision:
    return Decision(False, reason, CONFLICT)


def invalid(reason: str, field: str = "status") -> Decision:
    return Decision(False, reason, INVALID, field)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # translatable (gettext_lazy)
    sources: frozenset[str]
    target: str
    needs_reason: bool = False
    # Extra effects on the object (set dates...), given the keyword arguments of apply().
    effect: Callable | None = None
    # Preconditions `guard(user, obj, **kwargs) -> Decision`, evaluated by `can` (so by `available` too).
    # A guard's Decision without a code counts as invalid (422); guards say `forbidden` or `conflict` themselves.
    guards: tuple[Callable, ...] = field(default_factory=tuple)
    # Checks of the step's input `validator(user, obj, **kwargs) -> Decision`, evaluated by `can` when the
    # input is given (apply, or a caller that passes it); `available` cannot know the input.
    validators: tuple[Callable, ...] = field(default_factory=tuple)


def _as_workflow_decision(verdict, default_code: str) -> Decision:
    if isinstance(verdict, Decision):
        return verdict if verdict.allowed or verdict.code else Decision(False, verdict.reason, default_code,
                                                                        verdict.field)
    return ALLOWED if verdict else Decision(False, getattr(verdict, "reason", ""), default_code)


# "app_label.model" → its workflow: every model with a status field has exactly one (checked by
# core/tests/test_status_workflows.py, which also checks that only workflows write the field).
REGISTRY: dict[str, Workflow] = {}


def workflow_for(model) -> Workflow | None:
    label = model if isinstance(model, str) else model._meta.label_lower
    return REGISTRY.get(label.lower())


class Workflow:
    def __init__(self, state_field: str, transitions: list[Transition], *, model: str = "", action: str = "change"):
        self.state_field = state_field
        self.transitions = {t.name: t for t in transitions}
        self.action = action  # the scoping action a user needs on the object to move it
        self.model = model.lower()
        if self.model:
            if self.model in REGISTRY:
                raise ValueError(f"{model} already has a workflow")
            REGISTRY[self.model] = self

    def available(self, user, obj) -> list[Transition]:
        """The steps `user` can take now: allowed, from this state, and every guard satisfied."""
        return [t for t in self.transitions.values() if self.can(user, obj, t.name)]

    def may(self, user, obj, name: str) -> bool:
        return bool(self.can(user, obj, name))

    def can(self, user, obj, name: str, **kwargs) -> Decision:
        """Everything `apply` checks, in the same order: the step, the state, the user's right to change
        the object, the reason (when `reason` is given), the guards, and the input validators (when any
        input is given)."""
        return self._decide(user, obj, name, None, kwargs)

    def _decide(self, user, obj, name: str, in_scope: bool | None, kwargs: dict) -> Decision:
        transition = self.transitions.get(name)
        if transition is None:
            return invalid(_("unknown step %(name)s") % {"name": name}, "transition")
        state = getattr(obj, self.state_field)
        if state not in transition.sources:
            return conflict(_("cannot %(step)s from %(state)s") % {"step": transition.label, "state": state})
        allowed = self._actor(user, obj, in_scope)
        if not allowed:
            return allowed
        if "reason" in kwargs and transition.needs_reason and not (kwargs["reason"] or "").strip():
            return invalid(_("A reason is required for this step."), "reason")
        for guard in transition.guards:
            verdict = _as_workflow_decision(guard(user, obj, **kwargs), INVALID)
            if not verdict:
                return verdict
        if kwargs:
            for validator in transition.validators:
                verdict = _as_workflow_decision(validator(user, obj, **kwargs), INVALID)
                if not verdict:
                    return verdict
        return ALLOWED

    def _actor(self, user, obj, in_scope: bool | None = None) -> Decision:
        if user is None:
            return forbidden(_("No acting user: pass the user, or the system actor for scheduled tasks."))
        if in_scope is not None:  # scope already decided for many objects at once (apply_bulk)
            return ALLOWED if in_scope else forbidden(
                _("this %(model)s is outside your scope") % {"model": type(obj)._meta.verbose_name})
        decision = scoping.check(user, self.action, obj)
        return ALLOWED if decision else forbidden(decision.reason)

    @transaction.atomic
    def apply(self, user, obj, name: str, *, reason: str = "", **kwargs):
        """Take a step: PermissionDenied (403), Conflict (409) or ValidationError (422) when `can` refuses."""
        self.can(user, obj, name, reason=reason, **kwargs).raise_if_refused()
        transition = self.transitions[name]
        setattr(obj, self.state_field, transition.target)
        if transition.effect:
            transition.effect(obj, reason=reason, **kwargs)
        obj.full_clean()
        with acting_for(user), change_reason(reason or transition.label):
            obj.save()
        return obj

    def apply_bulk(self, user, objects: Iterable, name: str, *, reason: str = "", fields: Iterable[str] = (),
                   **kwargs) -> list:
        """Take one step for many objects at once (e.g. a 免申即享 run moving thousands of entitlements).

        Every object passes `can` with the same checks as `apply` (the first refusal raises, nothing is
        written); then one bulk update writes the state (and the `fields` the effect sets) and one audit
        entry per object is recorded with the reason. Returns the objects moved.
        """
        from .audit import record_bulk

        objects = list(objects)
        if not objects:
            return []
        transition = self.transitions.get(name)
        model = type(objects[0])
        with transaction.atomic():
            self._actor(user, model).raise_if_refused()  # the role, once
            in_scope = set(model._default_manager.restrict(user, self.action)
                           .filter(pk__in=[o.pk for o in objects]).values_list("pk", flat=True))
            for obj in objects:
                self._decide(user, obj, name, obj.pk in in_scope, {"reason": reason, **kwargs}).raise_if_refused()
            now = timezone.now()
            for obj in objects:
                setattr(obj, self.state_field, transition.target)
                if transition.effect:
                    transition.effect(obj, reason=reason, **kwargs)
                if hasattr(obj, "updated_at"):
                    obj.updated_at = now
            update = [self.state_field, *fields] + (["updated_at"] if hasattr(objects[0], "updated_at") else [])
            model.objects.bulk_update(objects, list(dict.fromkeys(update)), batch_size=2000)
            with acting_for(user), change_reason(reason or transition.label):
                record_bulk(model, "update", objects, reason=reason or str(transition.label))
        return objects
