"""API schemas of mentoring: `…Out` answers, `…In` bodies (PATCH makes fields optional), `…Filters`."""

import datetime

from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema
from fuhua.registry.schemas import Brief, RegionBrief

from .models import PairingStatus


class PoolMentorIn(InputSchema):
    profile: Id = Field(..., description="id of the registry mentor")
    specialities: str = ""
    shared_with: list[str] = Field([], description="codes of the regions this mentor is shared with")
    capacity: int = Field(5, ge=1, le=50)
    active: bool = True


class PoolMentorOut(Schema):
    id: int
    profile: Brief
    industry_field: str
    region: RegionBrief
    specialities: str
    shared_with: list[RegionBrief]
    capacity: int
    active: bool

    @staticmethod
    def resolve_industry_field(obj):
        return obj.profile.industry_field

    @staticmethod
    def resolve_region(obj):
        return obj.profile.region

    @staticmethod
    def resolve_shared_with(obj):
        return list(obj.shared_with.all())


class PoolMentorFilters(FilterSchema):
    active: bool | None = None


class PairingIn(InputSchema):
    mentor: Id = Field(..., description="id of the pool mentor")
    firm: Id | None = None
    team: Id | None = None
    carrier: Id | None = Field(None, description="the carrier whose tenant is paired (the mentor must serve it)")
    goals: str
    starts_on: datetime.date
    ends_on: datetime.date


class PairingOut(Schema):
    id: int
    mentor: Brief
    firm: Brief | None
    team: Brief | None
    carrier: Brief | None
    goals: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    ended_on: datetime.date | None
    end_reason: str

    @staticmethod
    def resolve_mentor(obj):
        return {"id": obj.mentor_id, "name": obj.mentor.profile.name}


class PairingFilters(FilterSchema):
    status: PairingStatus | None = None
    carrier: Id | None = None
    firm: Id | None = None


class PairingStepIn(Schema):
    reason: str = Field("", max_length=2000)


class ServiceLogIn(InputSchema):
    mentor: Id
    firm: Id | None = None
    team: Id | None = None
    date: datetime.date
    hours: float = Field(..., ge=0.5, le=24)
    topic: str
    outcome: str = ""


class ServiceLogOut(Schema):
    id: int
    mentor_id: int
    firm_id: int | None
    team_id: int | None
    pairing_id: int
    date: datetime.date
    hours: float
    topic: str
    outcome: str


class ServiceLogFilters(FilterSchema):
    firm: Id | None = None
    mentor: Id | None = None


class MentoringFeedbackFilters(FilterSchema):
    pairing: Id | None = None
    score: int | None = Field(None, ge=1, le=5)


class MentoringFeedbackIn(InputSchema):
    pairing: Id
    score: int = Field(..., ge=1, le=5)
    comment: str = ""


class MentoringFeedbackOut(Schema):
    id: int
    pairing_id: int
    score: int
    comment: str
    created_at: datetime.datetime
