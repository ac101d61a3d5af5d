"""One mechanism decides what each user may see and do: `Model.objects.restrict(user, action)`.

Every domain model declares a `Scope`: for each scoping dimension, the ORM path from the model to it.
Each role (accounts.roles) names its dimension and the actions it has on each model. Pages, API and
CLI all query through `restrict`, so a new endpoint inherits the rules instead of re-stating them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .permissions import policy

ACTIONS = ("view", "add", "change", "delete")
ACTION_LABELS = {
    "view": gettext_lazy("view"),
    "add": gettext_lazy("add"),
    "change": gettext_lazy("change"),
    "delete": gettext_lazy("delete"),
}


@dataclass(frozen=True)
class Via:
    """A scope path that holds only while the joined rows meet `when` (lookups relative to the model),
    applied in the same filter so that both refer to the same related row. E.g. an operator reaches a
    firm through an incubation only while that incubation is open:
    `Via("incubations__carrier__operator_id", {"incubations__status__in": OPEN})`."""

    path: str
    when: tuple[tuple[str, object], ...] = ()

    def __init__(self, path: str, when: dict | None = None):
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "when", tuple((when or {}).items()))

    def q(self, value) -> Q:
        return Q(**{self.path: value}, **dict(self.when))


def path_of(path: str | Via) -> str:
    return path.path if isinstance(path, Via) else path


def path_q(path: str | Via, value) -> Q:
    """The condition "this path leads to `value`" (and, for a Via, its rows meet their condition)."""
    return path.q(value) if isinstance(path, Via) else Q(**{path: value})


@dataclass(frozen=True)
class Scope:
    # Each dimension: the ORM path (or paths, any of which grants) from the model to its value.
    region: str | tuple[str, ...] | None = None  # path to a Region (filtered by its code prefix)
    operator: str | Via | None = None  # path to the operating Organisation
    association: str | None = None  # path to the association Organisation a carrier is a member of
    organisation: str | None = None  # path to the Organisation itself
    firm: str | None = None
    mentor: str | None = None
    investor: str | None = None
    expert: str | None = None  # path to the expert user assigned (evaluation reviews)
    public: bool = False  # reference data that every signed-in user may read


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed


def crosses_many(model, path: str | Via) -> bool:
    """True when the path walks a to-many relation, where a plain filter would duplicate rows."""
    for name in path_of(path).split("__"):
        try:
            field = model._meta.get_field(name)
        except Exception:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def scope_filter(model, user, action: str) -> Q | None:
    """The Q that limits `model` to what `user` may do `action` on; None means unlimited."""
    grants_of, role_allows = policy().grants_of, policy().role_allows

    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    scope: Scope = model.scope
    q = Q(pk__in=[])  # nothing, until a grant allows something
    for grant in grants_of(user):
        if not role_allows(grant.role, model, action):
            continue
        if grant.is_unlimited:
            return None
        if scope.public and action == "view":
            return None
        condition = grant.condition_for(model)
        if condition is not None:
            q |= condition
    return q


# A per-grants memo: a dict that whoever memoises a user's grants (the API token cache) attaches to the
# user and drops together with them. Values derived from the grants alone (compiled scoped queries,
# core.compiled) may be kept in it: they can never be staler than the grants.
SCOPE_MEMO = "_fuhua_scope_memo"


def scope_memo(user) -> dict | None:
    """The user's per-grants memo, or None (grants looked up per request: keep nothing)."""
    return getattr(user, SCOPE_MEMO, None)


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        q = scope_filter(self.model, user, action)
        return self if q is None else self.filter(q)


def check(user, action: str, obj_or_model) -> Decision:
    """May `user` do `action` on this object (or on the model at all)? With the reason when not."""
    grants_of, role_allows = policy().grants_of, policy().role_allows

    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    name = model._meta.verbose_name
    if not (user and user.is_authenticated):
        return Decision(False, _("not signed in"))
    if not user.is_superuser and not any(role_allows(g.role, model, action) for g in grants_of(user)):
        return Decision(
            False, _("your role may not %(action)s %(model)s") % {"action": ACTION_LABELS[action], "model": name}
        )
    if isinstance(obj_or_model, type):
        return Decision(True)
    if model._default_manager.restrict(user, action).filter(pk=obj_or_model.pk).exists():
        return Decision(True)
    return Decision(False, _("this %(model)s is outside your scope") % {"model": name})


def _history_grants(user) -> list:
    grants_of = policy().grants_of

    if not (user and user.is_authenticated and user.is_active):
        return []
    return [g for g in grants_of(user) if g.role in policy().HISTORY_WITHOUT_VIEW]


def _view_filter(model, user) -> Q | None:
    """What `user` may view of `model`: its Scope's filter, or, for a model whose queryset answers `restrict`
    itself (published demands and challenges are read by the roles that answer them: demands.models), that."""
    restrict = getattr(type(model._default_manager.get_queryset()), "restrict", None)
    if restrict is None or restrict is RestrictedQuerySet.restrict or not user or getattr(user, "is_superuser", False):
        return scope_filter(model, user, "view")
    return Q(pk__in=model._default_manager.restrict(user, "view").values("pk"))


def history_filter(model, user) -> Q | None:
    """The Q limiting `model` to the objects whose change history `user` may read (None: unlimited):
    those it may view, and for the auditing roles (accounts.roles.HISTORY_WITHOUT_VIEW) every object
    within their grant's scope (a platform-wide audit administrator: all)."""
    q = _view_filter(model, user)
    for grant in _history_grants(user) if q is not None else ():
        if grant.is_unlimited:
            return None
        condition = grant.condition_for(model)
        if condition is not None:
            q |= condition
    return q


def history_check(user, obj_or_model) -> Decision:
    """May `user` read the change history of this object (or of the model at all)? With the reason."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    decision = check(user, "view", model)
    if not decision and not _history_grants(user):
        return decision
    if isinstance(obj_or_model, type):
        return Decision(True)
    q = history_filter(model, user)
    if model._default_manager.filter(pk=obj_or_model.pk).filter(*([q] if q is not None else [])).exists():
        return Decision(True)
    return Decision(False, _("this %(model)s is outside your scope") % {"model": model._meta.verbose_name})
