"""API schemas of the service desk."""

import datetime

from django.db.models import Q
from django.utils import timezone
from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema
from fuhua.registry.schemas import Brief, region_q

from . import topics
from .models import Status
from .services import overdue_q


class StewardOut(Schema):
    id: int
    user_id: int
    username: str = Field(..., alias="user.username")
    name: str = Field(..., alias="display_name")
    region_id: str
    topics: list[str]
    capacity: int
    active: bool


class StewardIn(InputSchema):
    user: Id
    region: str = Field(..., min_length=6, max_length=6, description="region code (GB/T 2260)")
    topics: list[str] = Field(default_factory=list, max_length=20, description="topic codes; empty: every topic")
    capacity: int = Field(20, ge=1, le=1000)
    active: bool = True


class StewardFilters(FilterSchema):
    region: str | None = Field(None, max_length=6, description="region code: this region and those under it")
    active: bool | None = None

    def filter_region(self, value):
        return region_q("region", value) if value else Q()


class RequestOut(Schema):
    id: int
    title: str
    topic: str
    topic_label: str
    body: str
    firm: Brief | None
    organisation: Brief | None
    region_id: str
    status: str
    steward_id: int | None
    steward_name: str | None
    opened_at: datetime.datetime
    first_response_due: datetime.date
    resolution_due: datetime.date
    first_response_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    resolution: str
    overdue: bool
    rating: int | None
    rating_comment: str
    link: str | None
    link_id: int | None

    @staticmethod
    def resolve_steward_name(obj):
        return obj.steward.display_name if obj.steward_id else None

    @staticmethod
    def resolve_overdue(obj):
        return obj.overdue(timezone.localdate())

    @staticmethod
    def resolve_link(obj):
        return f"{obj.link_type.app_label}.{obj.link_type.model}" if obj.link_type_id else None


class RequestIn(InputSchema):
    title: str = Field(..., min_length=2, max_length=120)
    topic: str = Field(..., max_length=20, description="; ".join(f"{c}: {t.name}" for c, t in topics.topics().items()))
    body: str = Field(..., min_length=2, max_length=5000)
    firm: Id | None = Field(None, description="the firm asking (a firm user's own firm by default)")
    organisation: Id | None = Field(None, description="the carrier operator asking")
    link: str | None = Field(None, max_length=60, description="linked record kind, e.g. policies.application")
    link_id: Id | None = None


class RequestFilters(FilterSchema):
    status: Status | None = None
    topic: str | None = Field(None, max_length=20)
    steward: Id | None = None
    overdue: bool | None = Field(None, description="past the first-response or resolution deadline")

    def filter_steward(self, value):
        return Q(steward_id=value) if value else Q()

    def filter_overdue(self, value):
        if value is None:
            return Q()
        q = overdue_q(timezone.localdate())
        return q if value else ~q


class DeskStepIn(InputSchema):
    reason: str = Field("", max_length=500, description="the question, the answer, the resolution, the reason")
    rating: int | None = Field(None, description="rate: 1 to 5")
    comment: str = Field("", max_length=500, description="rate: a comment on the service")
    steward: Id | None = Field(None, description="assign: the steward")


class LinkIn(InputSchema):
    link: str | None = Field(None, max_length=60, description="policies.application, vouchers.order, … (required)")
    link_id: Id | None = Field(None, description="the record's id (required)")
    reason: str = Field("", max_length=500, description="a note for the audit trail")


class DeskAttachmentOut(Schema):
    id: int
    name: str
    size: int


class DeskMessageOut(Schema):
    id: int
    created_at: datetime.datetime
    author: str
    from_steward: bool
    body: str
    attachments: list[DeskAttachmentOut]

    @staticmethod
    def resolve_author(obj):
        if obj.author_id is None:
            return ""
        return obj.author.get_full_name() or obj.author.username

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())


class ReportRow(Schema):
    key: str
    label: str
    open: int
    overdue: int
    resolved: int
    rated: int
    mean_rating: float | None
    first_response_hours: float | None
    resolution_days: float | None


class DeskReportOut(Schema):
    as_of: datetime.date
    total: int
    open: int
    overdue: int
    by_steward: list[ReportRow]
    by_topic: list[ReportRow]
