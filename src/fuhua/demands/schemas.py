"""API schemas of the demands: `…Out` answers, `…In` bodies (PATCH makes fields optional), `…Filters`."""

import datetime

from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema
from fuhua.registry.choices import IndustryField
from fuhua.registry.schemas import Brief

from .models import ChallengeStatus, DemandKind, DemandStatus, ResponseStatus


class DemandIn(InputSchema):
    firm: Id | None = Field(None, description="id of the firm posting (or give a team)")
    team: Id | None = Field(None, description="id of the start-up team posting")
    kind: DemandKind
    title: str = Field(..., max_length=120)
    description: str = Field(..., max_length=4000)
    industry_field: IndustryField
    region: str = Field(..., description="code of the region where the need is to be met")
    stage: str = Field("", max_length=12, description="for a financing need: the round sought (seed, angel, "
                                                      "pre_a, a, b, c, later, strategic); empty otherwise")
    positions: int | None = Field(None, ge=1, le=999, description="for a job post: people sought")
    budget_fen: int | None = Field(None, ge=0, le=10**15, description="budget in fen (分)")
    deadline: datetime.date


class DemandOut(Schema):
    id: int
    firm: Brief | None
    team: Brief | None
    carrier: Brief | None
    kind: str
    title: str
    description: str
    industry_field: str
    region: str
    stage: str
    positions: int | None
    budget_fen: int | None
    deadline: datetime.date
    status: str
    published_on: datetime.date | None
    closed_on: datetime.date | None
    close_note: str

    @staticmethod
    def resolve_region(obj):
        return obj.region_id


class DemandFilters(FilterSchema):
    status: DemandStatus | None = None
    kind: DemandKind | None = None
    industry_field: IndustryField | None = None
    firm: Id | None = None


class DemandStepIn(Schema):
    reason: str = Field("", max_length=2000)


class ChallengeIn(InputSchema):
    title: str = Field(..., max_length=120)
    description: str = Field(..., max_length=4000)
    industry_field: IndustryField
    region: str = Field(..., description="code of the publishing bureau's region (a firm's: its own)")
    firm: Id | None = Field(None, description="id of the posting firm; empty when a bureau publishes")
    reward_fen: int = Field(..., ge=1, le=10**15, description="reward in fen (分)")
    deadline: datetime.date


class ChallengeOut(Schema):
    id: int
    title: str
    description: str
    industry_field: str
    region: str
    firm: Brief | None
    reward_fen: int
    deadline: datetime.date
    status: str
    published_on: datetime.date | None
    awarded_on: datetime.date | None
    close_reason: str

    @staticmethod
    def resolve_region(obj):
        return obj.region_id


class ChallengeFilters(FilterSchema):
    status: ChallengeStatus | None = None
    industry_field: IndustryField | None = None


class ResponseIn(InputSchema):
    challenge: Id
    organisation: Id | None = Field(None, description="the responding provider, university or institute")
    expert: Id | None = Field(None, description="the responding expert (the pool's profile id)")
    proposal: str = Field(..., max_length=4000)
    price_fen: int | None = Field(None, ge=0, le=10**15)


class ResponseOut(Schema):
    id: int
    challenge_id: int
    organisation: Brief | None
    expert: Brief | None
    proposal: str
    price_fen: int | None
    submitted_on: datetime.date
    status: str
    decided_on: datetime.date | None


class ResponseFilters(FilterSchema):
    status: ResponseStatus | None = None
    challenge: Id | None = None


class MatchOut(Schema):
    kind: str
    kind_label: str
    id: int
    name: str
    detail: str
    score: float
    reasons: list[str]
    url: str | None


class DemandFitOut(Schema):
    demand: DemandOut
    score: float
    reasons: list[str]
