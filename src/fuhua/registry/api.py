"""REST endpoints of the registry, one `Resource` per model (see core.api_crud)."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation
from fuhua.core.api_errors import OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.schemas import StepOut
from fuhua.rules import RulesError

from . import schemas as s
from .api_rows import firm_rows
from .models import (
    Carrier,
    CarrierStaffing,
    Firm,
    FirmDesignation,
    FirmYearFigures,
    Founder,
    IntellectualProperty,
    Investment,
    InvestorProfile,
    MentorProfile,
    Organisation,
    Recognition,
    Region,
    SeedFund,
    StartupTeam,
)
from .workflow import CARRIER_WORKFLOW

REGIONS = Resource(
    Region, s.RegionOut, filters=s.RegionFilters, ordering=("code", "name", "level"), search=s.search_region
)
ORGANISATIONS = Resource(
    Organisation, s.OrganisationOut, s.OrganisationIn, filters=s.OrganisationFilters,
    ordering=("name", "credit_code", "founded", "created_at"), select_related=("region",),
)
CARRIERS = Resource(
    Carrier, s.CarrierOut, s.CarrierIn, filters=s.CarrierFilters,
    ordering=("name", "established", "incubation_area_m2", "tenant_area_m2", "workstations", "created_at"),
    select_related=("region", "operator", "administering_region"),
)
RECOGNITIONS = Resource(
    Recognition, s.RecognitionOut, s.RecognitionIn, filters=s.RecognitionFilters,
    ordering=("granted_on", "valid_until", "level"), select_related=("carrier",), search=s.search_recognition,
)
FIRMS = Resource(
    Firm, s.FirmOut, s.FirmIn, filters=s.FirmFilters, ordering=("name", "founded", "credit_code", "created_at"),
    select_related=("region",), prefetch_related=("designations",), list_rows=firm_rows,
)
DESIGNATIONS = Resource(
    FirmDesignation, s.DesignationOut, s.DesignationIn, filters=s.DesignationFilters,
    ordering=("granted_on", "expires_on", "kind"), select_related=("firm",), search=s.search_designation,
)
TEAMS = Resource(
    StartupTeam, s.TeamOut, s.TeamIn, filters=s.TeamFilters, ordering=("name", "formed_on", "members"),
    select_related=("region", "firm"),
)
MENTORS = Resource(
    MentorProfile, s.MentorOut, s.MentorIn, filters=s.MentorFilters, ordering=("name",),
    select_related=("region",), prefetch_related=("carriers",),
)
INVESTORS = Resource(
    InvestorProfile, s.InvestorOut, s.InvestorIn, filters=s.InvestorFilters, ordering=("name",),
    select_related=("region", "institution"),
)
# The facts the rules read (issue #3), scoped like the firm or carrier they belong to.
INVESTMENTS = Resource(
    Investment, s.InvestmentOut, s.InvestmentIn, filters=s.InvestmentFilters,
    ordering=("date", "amount_fen", "round", "created_at"), select_related=("firm", "investor", "carrier"),
    search=s.search_investment,
)
FIRM_YEAR_FIGURES = Resource(
    FirmYearFigures, s.FirmYearFiguresOut, s.FirmYearFiguresIn, filters=s.FirmYearFiguresFilters,
    ordering=("year", "revenue_fen", "rd_spend_fen", "employees"), select_related=("firm",),
    search=s.search_firm_fact,
)
IP_RIGHTS = Resource(
    IntellectualProperty, s.IntellectualPropertyOut, s.IntellectualPropertyIn, filters=s.IntellectualPropertyFilters,
    ordering=("applied_on", "granted_on", "kind", "number"), select_related=("firm",), search=s.search_ip,
)
SEED_FUNDS = Resource(
    SeedFund, s.SeedFundOut, s.SeedFundIn, filters=s.SeedFundFilters,
    ordering=("established_on", "size_fen", "name"), select_related=("carrier",), search=s.search_seed_fund,
)
STAFFING = Resource(
    CarrierStaffing, s.CarrierStaffingOut, s.CarrierStaffingIn, filters=s.CarrierStaffingFilters,
    ordering=("year", "staff_total", "staff_professional", "staff_fulltime"), select_related=("carrier",),
    search=s.search_carrier_fact,
)

FOUNDERS = Resource(
    Founder, s.FounderOut, s.FounderIn, filters=s.FounderFilters, ordering=("name", "created_at"),
    select_related=("firm", "team"),
)

# URL prefix → resource; api.py mounts each under /api/v1/<prefix>.
RESOURCES = {
    "regions": REGIONS,
    "organisations": ORGANISATIONS,
    "carriers": CARRIERS,
    "recognitions": RECOGNITIONS,
    "firms": FIRMS,
    "designations": DESIGNATIONS,
    "teams": TEAMS,
    "mentors": MENTORS,
    "investors": INVESTORS,
    "investments": INVESTMENTS,
    "annual-figures": FIRM_YEAR_FIGURES,
    "ip-rights": IP_RIGHTS,
    "founders": FOUNDERS,
    "seed-funds": SEED_FUNDS,
    "staffing": STAFFING,
}


class ReadinessParams(Schema):
    pack: str | None = Field(None, max_length=40, description="Pack id; default: the one in force for the kind.")
    as_of: datetime.date | None = Field(None, description="Date; default: today.")


class ReadinessOut(Schema):
    carrier: dict
    pack: str
    document: str
    title: str
    complete: bool
    as_of: str
    note: str
    rule: str
    eligible: bool
    failed: list[str]
    criteria: list[dict]
    assumed: dict
    not_collected: list[str]
    seconds: dict


def _with_readiness(router: Router) -> Router:
    from .readiness import carrier_readiness

    @router.get("/{id}/readiness", response={200: ReadinessOut, **OBJECT_ERRORS},
                **operation("carrier_readiness", "Criteria for national recognition, with data and citations"))
    def readiness(request, id: int, params: Query[ReadinessParams]):
        carrier = get_scoped(CARRIERS, request.auth_user, id)
        try:
            return carrier_readiness(carrier, params.pack, params.as_of)
        except RulesError as exc:
            raise ValidationError({"pack": str(exc)}) from exc

    return router


def _with_transitions(router: Router) -> Router:
    @router.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
                **operation("carrier_transitions", "Status steps the current user may take now"))
    def transitions(request, id: int):
        carrier = get_scoped(CARRIERS, request.auth_user, id)
        return [{"name": t.name, "label": str(t.label), "target": str(t.target), "needs_reason": t.needs_reason}
                for t in CARRIER_WORKFLOW.available(request.auth_user, carrier)]

    @router.post("/{id}/transitions/{name}", response={200: s.CarrierOut, **WRITE_ERRORS},
                 **operation("carrier_transition", "Take a status step: suspend, resume, close (with the reason)"))
    def take(request, id: int, name: str, payload: s.CarrierStepIn):
        carrier = get_scoped(CARRIERS, request.auth_user, id, "change")
        if name not in CARRIER_WORKFLOW.transitions:
            raise Http404
        CARRIER_WORKFLOW.apply(request.auth_user, carrier, name, reason=payload.reason.strip())
        return CARRIERS.queryset(request.auth_user, "view").get(pk=carrier.pk)

    return router


def routers() -> dict[str, Router]:
    out = {prefix: crud_router(resource) for prefix, resource in RESOURCES.items()}
    _with_readiness(out["carriers"])
    _with_transitions(out["carriers"])
    return out
