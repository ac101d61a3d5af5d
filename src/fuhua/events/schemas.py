"""API schemas of events: `…Out` answers, `…In` bodies (PATCH makes fields optional), `…Filters`."""

import datetime

from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema
from fuhua.registry.schemas import Brief

from .models import ApplicationStatus, EventKind, EventStatus, Frequency, RegistrationStatus, RoundStatus


class EventIn(InputSchema):
    kind: EventKind
    title: str = Field(..., max_length=200)
    carrier: Id | None = Field(None, description="the organising carrier")
    association: Id | None = Field(None, description="the organising association")
    region: str | None = Field(None, description="code of the bureau's region when a bureau organises")
    co_organisers: list[Id] = []
    investors: list[Id] = Field([], description="investor contacts invited to a roadshow (they record intents)")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    registration_deadline: datetime.datetime | None = None
    place: str = ""
    online_url: str = ""
    capacity: int | None = Field(None, ge=1, le=100000)
    waitlist: bool = True
    approval_required: bool = False
    description: str = ""


class EventOut(Schema):
    id: int
    kind: str
    title: str
    carrier: Brief | None
    association: Brief | None
    region_id: int | None
    series_id: int | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    registration_deadline: datetime.datetime | None
    place: str
    online_url: str
    capacity: int | None
    waitlist: bool
    approval_required: bool
    status: str
    cancel_reason: str


class EventFilters(FilterSchema):
    status: EventStatus | None = None
    kind: EventKind | None = None
    carrier: Id | None = None


class SeriesFilters(FilterSchema):
    kind: EventKind | None = None
    carrier: Id | None = None


class SeriesIn(InputSchema):
    kind: EventKind
    title: str = Field(..., max_length=200)
    carrier: Id | None = None
    association: Id | None = None
    region: str | None = None
    frequency: Frequency = Frequency.MONTHLY
    first_starts_at: datetime.datetime
    duration_minutes: int = Field(120, ge=15, le=20160)
    occurrences: int = Field(12, ge=1, le=104)
    registration_days_before: int = Field(1, ge=0, le=90)
    place: str = ""
    online_url: str = ""
    capacity: int | None = Field(None, ge=1, le=100000)
    waitlist: bool = True
    approval_required: bool = False
    description: str = ""


class SeriesOut(Schema):
    id: int
    kind: str
    title: str
    carrier_id: int | None
    association_id: int | None
    region_id: int | None
    frequency: str
    first_starts_at: datetime.datetime
    duration_minutes: int
    occurrences: int


class RegistrationIn(InputSchema):
    event: Id
    firm: Id | None = None
    team: Id | None = None
    person: str = Field(..., max_length=100)
    contact: str = Field("", max_length=100)


class RegistrationOut(Schema):
    id: int
    event_id: int
    firm: Brief | None
    team: Brief | None
    person: str
    contact: str
    status: str
    waitlist_position: int | None
    checked_in_at: datetime.datetime | None
    decision_reason: str


class RegistrationFilters(FilterSchema):
    status: RegistrationStatus | None = None
    event: Id | None = None
    firm: Id | None = None


class EventStepIn(Schema):
    reason: str = Field("", max_length=2000)


class FeedbackIn(InputSchema):
    registration: Id
    score: int = Field(..., ge=1, le=5)
    comment: str = ""


class FeedbackFilters(FilterSchema):
    registration: Id | None = None


class FeedbackOut(Schema):
    id: int
    registration_id: int
    score: int
    comment: str
    created_at: datetime.datetime


# --- competitions and roadshows ------------------------------------------------------------------


class CompetitionRoundIn(InputSchema):
    event: Id
    number: int = Field(..., ge=1, le=9)
    name: str = Field(..., max_length=60)
    starts_on: datetime.date
    ends_on: datetime.date
    sheet: str = Field("competition", max_length=40, description="a score sheet of events/sheets/score_sheets.toml")
    panel_size: int = Field(3, ge=1, le=50)
    advancing: int = Field(3, ge=1, le=1000)


class CompetitionRoundOut(Schema):
    id: int
    event_id: int
    number: int
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    sheet: str
    criteria: list[dict]
    panel_size: int
    advancing: int
    draw_id: int | None
    status: str


class CompetitionRoundFilters(FilterSchema):
    status: RoundStatus | None = None
    event: Id | None = None


class PanelDrawIn(Schema):
    seed: int | None = Field(None, ge=0, le=2**48, description="empty: a random seed, recorded with the draw")


class RoundStandingOut(Schema):
    application_id: int
    project: str
    rank: int | None
    mean: float | None
    sheets: int


class CompetitionApplicationOut(Schema):
    id: int
    event_id: int
    firm: Brief | None
    team: Brief | None
    project: str
    summary: str
    industry_field: str
    round_id: int | None
    rank: int | None
    status: str


class CompetitionApplicationFilters(FilterSchema):
    status: ApplicationStatus | None = None
    event: Id | None = None
    firm: Id | None = None


class ScoreSheetIn(Schema):
    round: Id
    application: Id
    values: dict[str, float] = Field(..., description="criterion code → score within the sheet's range")
    comment: str = Field("", max_length=5000)


class ScoreSheetOut(Schema):
    id: int
    round_id: int
    application_id: int
    expert_id: int
    values: dict
    total_milli: int
    comment: str


class ScoreSheetFilters(FilterSchema):
    round: Id | None = None
    application: Id | None = None


class InvestmentIntentIn(InputSchema):
    application: Id
    investor: Id | None = Field(None, description="an investor's own profile when omitted")
    amount_fen: int | None = Field(None, ge=1)
    note: str = ""


class InvestmentIntentOut(Schema):
    id: int
    event_id: int
    application_id: int
    investor_id: int
    amount_fen: int | None
    note: str
    followup_id: int | None


class InvestmentIntentFilters(FilterSchema):
    event: Id | None = None
    application: Id | None = None
