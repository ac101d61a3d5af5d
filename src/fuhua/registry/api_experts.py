"""REST endpoints of the expert pool: experts (CRUD, scoped like the pages) and panel draws (read; POST draws
and records a panel through registry.experts, the experts with a conflict left out with the reason)."""


import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, FilterSchema, Router, Schema, Status

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import WRITE_ERRORS
from fuhua.core.schemas import Id, InputSchema

from . import experts
from .choices import IndustryField
from .models import Availability, Carrier, DrawPurpose, ExpertDraw, ExpertProfile
from .schemas import Brief, RegionBrief, RegionCode, region_q


class ExpertIn(InputSchema):
    name: str
    title: str = ""
    organisation: Id | None = Field(None, description="id of the employer organisation")
    fields: list[IndustryField] = Field([], description="industry fields the expert reviews")
    region: str = RegionCode
    shared_with: list[str] = Field([], description="codes of the regions whose bureaus may draw this expert too")
    availability: Availability = Availability.AVAILABLE
    busy_until: datetime.date | None = None
    declared_organisations: list[Id] = Field([], description="ids of organisations the expert must not judge")
    declared_carriers: list[Id] = Field([], description="ids of carriers the expert must not judge")
    active: bool = True


class ExpertOut(Schema):
    id: int
    name: str
    title: str
    user_id: int | None
    organisation: Brief | None
    fields: list[str]
    region: RegionBrief
    shared_with: list[RegionBrief]
    availability: str
    busy_until: datetime.date | None
    declared_organisations: list[Brief]
    declared_carriers: list[Brief]
    active: bool

    @staticmethod
    def resolve_shared_with(obj):
        return list(obj.shared_with.all())

    @staticmethod
    def resolve_declared_organisations(obj):
        return list(obj.declared_organisations.all())

    @staticmethod
    def resolve_declared_carriers(obj):
        return list(obj.declared_carriers.all())


class ExpertFilters(FilterSchema):
    region: str | None = Field(None, pattern=r"^\d{6}$")
    field: IndustryField | None = Field(None, description="reviews this industry field")
    availability: Availability | None = None
    active: bool | None = None

    def filter_region(self, value):
        return region_q("region", value)

    def filter_field(self, value):
        return Q() if value is None else Q(fields__icontains=f'"{value}"')


class ExpertExclusionOut(Schema):
    expert: int
    name: str
    code: str
    reason: str


class ExpertDrawOut(Schema):
    id: int
    purpose: str
    object_type: str | None
    object_id: int | None
    object_label: str
    region: RegionBrief
    seed: int
    size: int
    wanted_fields: list[str]
    exclude_own_region: bool
    drawn: list[Brief]
    excluded: list[ExpertExclusionOut]
    drawn_by_id: int | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_object_type(obj):
        return obj.content_type.model if obj.content_type_id else None

    @staticmethod
    def resolve_drawn(obj):
        return list(obj.drawn.all())


class ExpertDrawFilters(FilterSchema):
    purpose: DrawPurpose | None = None
    region: str | None = Field(None, pattern=r"^\d{6}$")

    def filter_region(self, value):
        return region_q("region", value)


class ExpertDrawIn(InputSchema):
    purpose: DrawPurpose
    carrier: Id = Field(..., description="id of the carrier judged (its operator and itself are the conflicts)")
    size: int = Field(..., ge=1, le=experts.MAX_PANEL)
    seed: int | None = Field(None, ge=0, le=2**62, description="empty: a new random seed, recorded")
    fields: list[IndustryField] = []
    exclude_own_region: bool = False


EXPERTS = Resource(ExpertProfile, ExpertOut, ExpertIn, filters=ExpertFilters,
                   ordering=("name", "availability", "created_at"), select_related=("region", "organisation"),
                   prefetch_related=("shared_with", "declared_organisations", "declared_carriers"))
DRAWS = Resource(ExpertDraw, ExpertDrawOut, filters=ExpertDrawFilters, ordering=("created_at", "purpose"),
                 select_related=("region", "content_type"), prefetch_related=("drawn",), search=None)


def draws_router() -> Router:
    r = crud_router(DRAWS)

    @r.post("", response={201: ExpertDrawOut, **WRITE_ERRORS},
            **operation("expertdraw_create", "Draw a panel for a carrier from the expert pool",
                        description="Conflicts (own organisation, declared relations, own region when asked, "
                                    "unavailable) are left out with the reason; rotation, then the seeded draw."))
    def create(request, payload: ExpertDrawIn):
        user = request.auth_user
        require(user, "add", ExpertDraw)
        carrier = Carrier.objects.restrict(user, "view").filter(pk=payload.carrier).first()
        if carrier is None:
            raise ValidationError({"carrier": _("No such carrier in your scope.")})
        record = experts.draw(user, payload.purpose, experts.PanelTarget.of(carrier), payload.size,
                              seed=payload.seed, fields=list(payload.fields),
                              exclude_own_region=payload.exclude_own_region)
        return Status(201, get_scoped(DRAWS, user, record.pk))

    return r


def routers() -> dict[str, Router]:
    return {"experts": crud_router(EXPERTS), "expert-draws": draws_router()}
