"""REST endpoints of deal flow: funds, stationed investors, financing needs and deals (with their stage
steps). Reads and plain writes come from the CRUD kit; introducing a deal and its steps go through services."""

from django.db.models import Q
from django.http import Http404
from ninja import Router, Status

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.schemas import StepOut

from . import schemas as s
from . import services
from .models import Deal, FinancingNeed, Fund, Stationing
from .workflow import DEAL_WORKFLOW

FUNDS = Resource(Fund, s.FundOut, s.FundIn, filters=s.FundFilters, ordering=("vintage", "size_fen", "created_at"),
                 select_related=("institution",), prefetch_related=("regions",),
                 search=lambda q: Q(name__icontains=q))
STATIONINGS = Resource(Stationing, s.StationingOut, s.StationingIn, filters=s.StationingFilters,
                       ordering=("since", "created_at"),
                       select_related=("investor", "carrier"), search=None)
NEEDS = Resource(FinancingNeed, s.NeedOut, s.NeedIn, filters=s.NeedFilters,
                 ordering=("posted_on", "amount_fen", "created_at"), select_related=("firm",), search=None)
DEALS = Resource(Deal, s.DealOut, filters=s.DealFilters, ordering=("introduced_on", "created_at"),
                 select_related=("firm", "institution", "fund", "contact"), search=None)


def _steps(workflow, user, obj):
    return [{"name": t.name, "label": str(t.label), "target": str(t.target), "needs_reason": t.needs_reason}
            for t in workflow.available(user, obj)]


def needs_router() -> Router:
    r = crud_router(NEEDS)

    @r.post("/{id}/transitions/close", response={200: s.NeedOut, **WRITE_ERRORS},
            **operation("financing_need_close", "Close a financing need"))
    def close(request, id: int, payload: s.MoveIn):
        obj = get_scoped(NEEDS, request.auth_user, id, "change")
        services.close_need(request.auth_user, obj, reason=payload.reason)
        return get_scoped(NEEDS, request.auth_user, obj.pk)

    return r


def deals_router() -> Router:
    r = crud_router(DEALS)

    @r.post("", response={201: s.DealOut, **WRITE_ERRORS},
            **operation("deal_create", "Introduce a deal (the firm and the institution are notified)"))
    def create(request, payload: s.DealIn):
        require(request.auth_user, "add", Deal)
        deal = services.introduce(request.auth_user, payload.model_dump())
        return Status(201, get_scoped(DEALS, request.auth_user, deal.pk))

    @r.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
           **operation("deal_transitions", "Stage steps the current user may take now"))
    def available(request, id: int):
        return _steps(DEAL_WORKFLOW, request.auth_user, get_scoped(DEALS, request.auth_user, id))

    @r.post("/{id}/transitions/{name}", response={200: s.DealOut, **WRITE_ERRORS},
            **operation("deal_transition", "Move the deal one stage: meet, diligence, term_sheet, invest "
                                           "(amount_fen, round), decline (with a reason)"))
    def take(request, id: int, name: str, payload: s.MoveIn):
        obj = get_scoped(DEALS, request.auth_user, id, "change")
        if name not in DEAL_WORKFLOW.transitions:
            raise Http404
        extra = {"on": payload.on}
        if name == "invest":
            extra.update(amount_fen=payload.amount_fen, round=payload.round)
        services.move(request.auth_user, obj, name, reason=payload.reason, **extra)
        return get_scoped(DEALS, request.auth_user, obj.pk)

    return r


def routers() -> dict[str, Router]:
    return {"funds": crud_router(FUNDS), "investor-stationings": crud_router(STATIONINGS),
            "financing-needs": needs_router(), "deals": deals_router()}

