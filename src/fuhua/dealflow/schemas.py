"""API schemas of deal flow: `…Out` answers, `…In` bodies (PATCH makes fields optional), `…Filters`."""

import datetime

from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema
from fuhua.registry.schemas import Brief

from .models import DealStatus, NeedStatus


class FundIn(InputSchema):
    institution: Id = Field(..., description="id of the investment institution (organisation of kind investor)")
    name: str
    size_fen: int = Field(..., gt=0, description="fund size in fen")
    stages: list[str] = Field([], description="rounds invested in (seed, angel, pre_a, a, b, c, later, strategic)")
    industry_fields: list[str] = Field([], description="industry field codes")
    regions: list[str] = Field([], description="codes of the regions invested in")
    vintage: int = Field(..., ge=1980, le=2100)


class FundOut(Schema):
    id: int
    institution: Brief
    name: str
    size_fen: int
    stages: list[str]
    industry_fields: list[str]
    regions: list[str]
    vintage: int

    @staticmethod
    def resolve_regions(obj):
        return [r.code for r in obj.regions.all()]


class FundFilters(FilterSchema):
    institution: Id | None = None
    vintage: int | None = None


class StationingFilters(FilterSchema):
    carrier: Id | None = None
    investor: Id | None = None


class StationingIn(InputSchema):
    investor: Id
    carrier: Id
    since: datetime.date
    until: datetime.date | None = None


class StationingOut(Schema):
    id: int
    investor: Brief
    carrier: Brief
    since: datetime.date
    until: datetime.date | None


class NeedIn(InputSchema):
    firm: Id
    amount_fen: int = Field(..., gt=0)
    stage: str = Field(..., description="round sought")
    use: str
    posted_on: datetime.date


class NeedOut(Schema):
    id: int
    firm: Brief
    amount_fen: int
    stage: str
    use: str
    posted_on: datetime.date
    status: str
    closed_on: datetime.date | None


class NeedFilters(FilterSchema):
    status: NeedStatus | None = None
    firm: Id | None = None


class DealIn(InputSchema):
    need: Id | None = None
    firm: Id
    institution: Id
    fund: Id | None = None
    contact: Id | None = None
    note: str = ""
    introduced_on: datetime.date


class DealOut(Schema):
    id: int
    need_id: int | None
    firm: Brief
    institution: Brief
    fund: Brief | None
    contact: Brief | None
    note: str
    status: str
    introduced_on: datetime.date
    meeting_on: datetime.date | None
    diligence_on: datetime.date | None
    term_sheet_on: datetime.date | None
    invested_on: datetime.date | None
    declined_on: datetime.date | None
    decline_reason: str
    amount_fen: int | None
    round: str
    investment_id: int | None


class DealFilters(FilterSchema):
    status: DealStatus | None = None
    firm: Id | None = None
    institution: Id | None = None


class MoveIn(Schema):
    reason: str = Field("", max_length=2000)
    on: datetime.date | None = Field(None, description="the date the stage was reached (default today)")
    amount_fen: int | None = Field(None, description="invest: the amount invested, in fen")
    round: str = Field("", description="invest: the round")
