"""API schemas of evaluation runs, results, scorecards, expert review and appeals."""

import datetime

from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema
from fuhua.registry.schemas import Brief, RegionBrief, region_q

from .models import AppealStatus, Grade, RunStatus


class EvaluationRunIn(InputSchema):
    scheme: str = Field(..., max_length=80, description="scheme id, e.g. js-incubator-2024 (`fuhua evaluate --list`)")
    period: int = Field(..., ge=2000, le=2100, description="the year evaluated")
    region: str = Field(..., pattern=r"^\d{6}$", description="carriers in this region or under it")
    appeal_deadline: datetime.date | None = None


class EvaluationRunOut(Schema):
    id: int
    scheme: str
    scheme_version: datetime.date
    scheme_sha256: str
    period: int
    region: RegionBrief
    status: str
    previous_id: int | None
    computed_at: datetime.datetime | None
    published_at: datetime.datetime | None
    appeal_deadline: datetime.date | None
    created_at: datetime.datetime


class RunFilters(FilterSchema):
    scheme: str | None = Field(None, max_length=80)
    period: int | None = Field(None, ge=2000, le=2100)
    status: RunStatus | None = None
    region: str | None = Field(None, pattern=r"^\d{6}$", description="runs of this region or under it")

    def filter_region(self, value):
        return region_q("region", value)


class RunStepIn(InputSchema):
    reason: str = Field("", max_length=500)



class DistributionOut(Schema):
    grades: dict[str, int]
    graded: int
    incomplete: int
    vetoed: int
    total: int


class ComparisonOut(Schema):
    previous: int | None
    up: int
    down: int
    same: int
    matrix: list[dict]
    movers: list[dict]


class ResultOut(Schema):
    id: int
    run_id: int
    carrier: Brief
    category: str
    completeness: int
    quantitative_milli: int
    qualitative_milli: int
    bonus_milli: int
    total_milli: int | None
    rank: int | None
    grade: str
    veto_reason: str
    incomplete: bool
    missing: list[str]


class ResultFilters(FilterSchema):
    run: Id | None = None
    carrier: Id | None = None
    grade: Grade | None = None
    incomplete: bool | None = None


class AppealIn(InputSchema):
    result: Id
    reason: str = Field(..., max_length=5000)


class DecisionIn(InputSchema):
    upheld: bool = False
    reason: str = Field("", max_length=5000, description="the decision and its grounds")
    corrections: dict[str, int] = Field(default_factory=dict,
                                        description="upheld: corrected statistics figures {field code: stored value}")


class AppealOut(Schema):
    id: int
    result_id: int
    reason: str
    status: str
    decision: str
    decided_at: datetime.datetime | None
    corrections: dict
    changes: list
    created_at: datetime.datetime


class AppealFilters(FilterSchema):
    status: AppealStatus | None = None
    result: Id | None = None


class AssignmentIn(InputSchema):
    result: Id
    expert: Id = Field(..., description="user id of an expert reviewer")


class AssignmentOut(Schema):
    id: int
    run_id: int
    result_id: int
    expert_id: int
    created_at: datetime.datetime


class AssignmentFilters(FilterSchema):
    run: Id | None = None
    expert: Id | None = None


class ScoreIn(InputSchema):
    indicator: str = Field("", max_length=60, description="a qualitative indicator of the run's scheme")
    score: float | None = Field(None, description="points, 0 to the indicator's maximum")
    reason: str = Field("", max_length=2000, description="the expert's comment: why this score")


class ScoreOut(Schema):
    id: int
    indicator: str
    score_milli: int
    comment: str
