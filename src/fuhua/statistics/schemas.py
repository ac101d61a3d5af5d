"""API schemas of the annual statistics."""

import datetime

from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema
from fuhua.registry.schemas import Brief, region_q

from .models import ReportStatus


class ReportOut(Schema):
    id: int
    carrier: Brief
    year: int
    form_code: str
    version: int
    status: str
    amendment_reason: str
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ReportFilters(FilterSchema):
    carrier: Id | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    status: ReportStatus | None = None
    region: str | None = Field(None, pattern=r"^\d{6}$", description="carriers in this region or under it")

    def filter_region(self, value):
        return region_q("carrier__region", value)


class StartIn(InputSchema):
    carrier: Id
    year: int = Field(..., ge=2000, le=2100)


class MessageOut(Schema):
    code: str
    label: str
    level: str
    text: str
    codes: list[str]


class ValueOut(Schema):
    code: str
    label: str
    unit: str
    scale: int = Field(description="storage units per display unit (fen per 千元 for money)")
    required: bool
    value: int | None = Field(description="in storage units: fen, m², counts")
    prefilled: int | None
    source: str
    origin: str | None


class ValuesOut(Schema):
    report: int
    form_code: str
    status: str
    values: list[ValueOut]
    messages: list[MessageOut]
    blocking: list[MessageOut]


class ValuesIn(Schema):
    # Not InputSchema: unknown body keys are ignored, so that scope refusals come before body checks.
    values: dict[str, int | None] = Field(default_factory=dict, description="field code → value in storage units")


class CommentIn(Schema):
    code: str = Field("", max_length=48)
    text: str = Field("", max_length=1000)
    kind: str = Field("explanation", description="explanation (operator) or return (reviewer)")


class CommentOut(Schema):
    id: int
    code: str
    kind: str
    text: str
    author_id: int | None
    created_at: datetime.datetime


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)



class ImportErrorOut(Schema):
    sheet: str
    row: int
    column: str
    header: str
    value: str
    message: str
    level: str


class ImportOut(Schema):
    ok: bool
    dry_run: bool
    written: bool
    filename: str
    sheet: str
    rows: int
    created: int
    updated: int
    unchanged: int
    error_count: int
    errors: list[ImportErrorOut]
    warnings: list[ImportErrorOut]
    summary: str


class CityOut(Schema):
    code: str
    name: str
    carriers: int
    missing: int
    draft: int
    returned: int
    submitted: int
    accepted: int
    not_submitted: list[Brief] = Field(description="carriers without a submitted report (empty for associations)")


class OverviewOut(Schema):
    year: int
    deadline: datetime.date
    cities: list[CityOut]
    totals: dict[str, int] = Field(description="sums of accepted figures in storage units")
