"""REST endpoints of incubation records: CRUD (status read-only) plus the workflow's transitions."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.schemas import StepOut
from fuhua.core.services import referable
from fuhua.registry.models import Carrier

from . import lifecycle
from . import schemas as s
from .models import Incubation
from .workflow import INCUBATION_WORKFLOW

INCUBATIONS = Resource(
    Incubation, s.IncubationOut, s.IncubationIn, filters=s.IncubationFilters,
    ordering=("entered_on", "applied_on", "status", "created_at"), select_related=("firm", "team", "carrier"),
    search=s.search_incubation,
)


def _transition(obj, name: str):
    transition = INCUBATION_WORKFLOW.transitions.get(name)
    if transition is None:
        raise Http404
    return transition


def _describe(transition) -> dict:
    return {"name": transition.name, "label": str(transition.label), "target": str(transition.target),
            "needs_reason": transition.needs_reason}


def router() -> Router:
    r = crud_router(INCUBATIONS)

    @r.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
           **operation("incubation_transitions", "Transitions the current user may take now"))
    def available_transitions(request, id: int):
        obj = get_scoped(INCUBATIONS, request.auth_user, id)
        return [_describe(t) for t in INCUBATION_WORKFLOW.available(request.auth_user, obj)]

    @r.get("/{id}/checks", response={200: list[s.CheckOut], **OBJECT_ERRORS},
           **operation("incubation_checks", "The rule checks of the record: admission, time limit, graduation",
                       description="A check on a date no rule pack covers is `applicable: false` with the reason."))
    def rule_checks(request, id: int):
        obj = get_scoped(INCUBATIONS, request.auth_user, id)
        return [{"name": c.name, "label": str(c.label), "applicable": c.applicable, "passed": c.passed,
                 "pack": c.pack.id if c.pack else None, "citation": c.citation, "note": c.note}
                for c in lifecycle.checks(obj)]

    @r.post("/{id}/transitions/{name}", response={200: s.IncubationOut, **WRITE_ERRORS},
            **operation("incubation_transition", "Take a transition: admit, start, graduate, exit, expire"))
    def take_transition(request, id: int, name: str, payload: s.IncubationStepIn):
        obj = get_scoped(INCUBATIONS, request.auth_user, id, "change")
        _transition(obj, name)
        lifecycle.take_transition(request.auth_user, obj, name, reason=payload.reason, on=payload.on,
                                  override=payload.override)
        return INCUBATIONS.queryset(request.auth_user, "view").get(pk=obj.pk)

    @r.post("/applications", response={201: s.IncubationOut, **WRITE_ERRORS},
            **operation("incubation_register", "Register an applicant (登记入孵申请): an existing or a new firm",
                        description="Creates the `applied` record and, with `new_firm`, the firm, in one "
                                    "transaction. Operators may register only at carriers they run."))
    def register(request, payload: s.ApplicantIn):
        user = request.auth_user
        require(user, "add", Incubation)
        carrier = Carrier.objects.restrict(user, "view").filter(pk=payload.carrier).first()
        if carrier is None:
            raise Http404
        if payload.applied_on and payload.applied_on > timezone.localdate():
            raise ValidationError({"applied_on": _("The date cannot be in the future.")})
        firm = firm_data = None
        if payload.firm is not None:
            firm = referable(user, Incubation, "firm").filter(pk=payload.firm).first()
            if firm is None:
                raise ValidationError({"firm": _("No firm with this id in your scope.")})
        if payload.new_firm is not None:
            firm_data = payload.new_firm.model_dump()
            firm_data["region_id"] = firm_data.pop("region")
        try:
            record = lifecycle.register_applicant(user, carrier, firm=firm, firm_data=firm_data,
                                                  applied_on=payload.applied_on)
        except ValidationError as exc:
            if firm_data is None:
                raise
            raise _under_new_firm(exc) from exc
        return Status(201, INCUBATIONS.queryset(user, "view").get(pk=record.pk))

    # Django must try "/applications" before the CRUD kit's "/{id}" (a str path parameter): first in order.
    r.path_operations = {"/applications": r.path_operations.pop("/applications"), **r.path_operations}
    return r


def _under_new_firm(exc: ValidationError) -> ValidationError:
    """The new firm's errors named as the request spells them: `new_firm.credit_code`."""
    if not hasattr(exc, "error_dict"):
        return exc
    firm_fields = set(s.NewFirmIn.model_fields) | {"region_id"}
    keyed = {}
    for field, errors in exc.error_dict.items():
        name = field.removesuffix("_id")
        keyed[f"new_firm.{name}" if field in firm_fields or name in firm_fields else field] = errors
    return ValidationError(keyed)
