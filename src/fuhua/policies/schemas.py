"""API schemas of policies, entitlements, the ledger and applications. Money is integer fen."""

import datetime

from django.db.models import Q
from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema
from fuhua.registry.schemas import Brief

from .models import ApplicationStatus, EntitlementStatus, PayoutKind


class PolicyOut(Schema):
    id: int
    code: str
    title: str
    document_number: str
    issuer: str
    region_id: str
    needs_application: bool
    effective_from: datetime.date
    effective_to: datetime.date | None
    beneficiary: str
    published_on: datetime.date | None


class PolicyFilters(FilterSchema):
    needs_application: bool | None = None


class EntitlementOut(Schema):
    id: int
    policy: str = Field(..., alias="policy.code")
    beneficiary: str
    carrier: Brief | None
    firm: Brief | None
    team: Brief | None
    operator: Brief | None
    person: Brief | None
    key: str
    item: str
    group: str
    period: int
    amount_fen: int
    status: str
    queue_position: int | None
    priority_on: datetime.date | None
    as_of: datetime.date
    citations: list
    explanation: str


class EntitlementFilters(FilterSchema):
    policy: str | None = Field(None, max_length=60, description="policy code")
    carrier: Id | None = None
    firm: Id | None = None
    operator: Id | None = None
    person: Id | None = None
    status: EntitlementStatus | None = None
    period: int | None = Field(None, ge=1990, le=2100)

    def filter_policy(self, value):
        return Q(policy__code=value) if value else Q()


class PayoutOut(Schema):
    id: int
    policy: str = Field(..., alias="policy.code")
    carrier: Brief | None
    firm: Brief | None
    team: Brief | None
    operator: Brief | None
    person: Brief | None
    entitlement_id: int | None
    key: str
    kind: str
    group: str
    period: int
    budget_year: int
    region_code: str
    amount_fen: int
    reverses_id: int | None
    paid_on: datetime.date
    reference: str
    reason: str


class PayoutFilters(FilterSchema):
    policy: str | None = Field(None, max_length=60, description="policy code")
    carrier: Id | None = None
    kind: PayoutKind | None = None
    budget_year: int | None = Field(None, ge=1990, le=2100)

    def filter_policy(self, value):
        return Q(policy__code=value) if value else Q()


class ApplicationIn(InputSchema):
    call: Id
    carrier: Id
    claimed_fen: int = Field(0, ge=0, le=10**13)
    claim_from: datetime.date | None = Field(None, description="first day the claimed amount covers")
    claim_to: datetime.date | None = Field(None, description="last day the claimed amount covers")
    statement: str = Field("", max_length=5000)


class ApplicationOut(Schema):
    id: int
    call_id: int
    carrier: Brief
    status: str
    claimed_fen: int
    claim_from: datetime.date | None
    claim_to: datetime.date | None
    statement: str
    submitted_on: datetime.date | None
    approved_fen: int | None
    review_opinion: str
    notice_ends_on: datetime.date | None
    amount_fen: int | None
    feedback: str


class ApplicationFilters(FilterSchema):
    call: Id | None = None
    carrier: Id | None = None
    status: ApplicationStatus | None = None


class StepIn(InputSchema):
    reason: str = Field("", max_length=500)
    approved_fen: int | None = Field(None, ge=0, le=10**13, description="review: the approved base amount")
    experts: str = Field("", max_length=200, description="review: the experts consulted (optional)")
    on: datetime.date | None = None


class ConfirmIn(InputSchema):
    # Optional here so that scope is checked before content; the service says what is missing.
    account_name: str = Field("", max_length=120)
    bank_name: str = Field("", max_length=120)
    account_number: str = Field("", max_length=40)
    branch: str = Field("", max_length=120, description="the opening branch (开户行); required for a firm")
    reason: str = Field("", max_length=200)


class EntitlementRunIn(InputSchema):
    as_of: datetime.date | None = Field(None, description="default: today")
    reason: str = Field("", max_length=200)


class EntitlementRunOut(Schema):
    id: int
    policy: str = Field(..., alias="policy.code")
    as_of: datetime.date
    period: int
    carriers: int
    created: int
    changed: int
    total_fen: int
    queued_fen: int
    seconds: float


class PayIn(InputSchema):
    year: int | None = Field(None, ge=1990, le=2100, description="budget year; default: this year")
    entitlement_ids: list[Id] | None = None
    limit: int | None = Field(None, ge=1, le=100000)
    reference: str = Field("", max_length=80)
    reason: str = Field("", max_length=200)


class PayOut(Schema):
    paid: int
    total_fen: int
    skipped: list[str]
    remaining_fen: int


class ReverseIn(InputSchema):
    reason: str = Field("", max_length=200, description="required: why the payment is corrected")


class EntitlementComputed(Schema):
    carrier_id: int
    item: str
    key: str
    amount_fen: int
    region_code: str


class ComputedOut(Schema):
    policy: str
    as_of: datetime.date
    carriers: int
    total_fen: int
    seconds: float
    entitlements: list[EntitlementComputed]


class SimulationParams(Schema):
    as_of: datetime.date | None = None
    set: list[str] = Field(default_factory=list, description="NAME=VALUE (YAML value), repeatable")


class CallIn(InputSchema):
    policy: Id
    title: str = Field(..., min_length=1, max_length=200)
    opens_on: datetime.date
    closes_on: datetime.date
    review_by: datetime.date | None = None
    notice_days: int = Field(7, ge=1, le=60)


class CallOut(Schema):
    id: int
    policy_id: int
    title: str
    opens_on: datetime.date
    closes_on: datetime.date
    review_by: datetime.date | None
    notice_days: int
    status: str


class CallFilters(FilterSchema):
    policy: Id | None = None
    status: str | None = Field(None, max_length=12)


class NotificationFilters(FilterSchema):
    carrier: Id | None = None
    unread: bool | None = Field(None, description="only unread (true) or only read (false)")

    def filter_unread(self, value):
        return Q() if value is None else Q(read_at__isnull=value)


class NotificationOut(Schema):
    id: int
    message: str
    carrier_id: int | None
    firm_id: int | None
    policy_id: int | None
    entitlement_id: int | None
    application_id: int | None
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class AttachmentOut(Schema):
    id: int
    application_id: int
    title: str


# --- firm-level policies: fits, reach, publication, feedback, subscriptions ---------------------------


class FitConditionOut(Schema):
    condition: str
    label: str
    gap_fen: int | None = None
    citations: list


class FitOut(Schema):
    policy: str
    policy_id: int
    title: str
    document_number: str
    status: str = Field(..., description="entitled | close (one condition missing) | open | not_applicable")
    amount_fen: int
    explanations: list
    missing: list[FitConditionOut]
    reasons: list[FitConditionOut]
    entitlements: list[int]
    holder: str = Field("", description="a person policy: the founder it concerns")


class FitsOut(Schema):
    as_of: datetime.date
    subject: Brief
    subscribed: bool | None = None
    fits: list[FitOut]


class ReachParams(Schema):
    as_of: datetime.date | None = None
    set: list[str] = Field(default_factory=list, description="what-if: NAME=VALUE (YAML)")


class PolicySubscribeIn(InputSchema):
    subscribed: bool = True
    reason: str = Field("", max_length=200)


class PolicyPublishIn(InputSchema):
    as_of: datetime.date | None = Field(None, description="default: the end of the last complete year")
    reason: str = Field("", max_length=200)


class PolicyFeedbackIn(InputSchema):
    rating: int | None = Field(None, description="satisfaction 1 to 5")
    paid_on_time: bool | None = None
    no_paperwork: bool | None = None
    comment: str = Field("", max_length=1000)
    reason: str = Field("", max_length=200)


class PolicyFeedbackOut(Schema):
    id: int
    entitlement_id: int
    policy: str = Field(..., alias="entitlement.policy.code")
    rating: int
    paid_on_time: bool
    no_paperwork: bool
    comment: str
    created_at: datetime.datetime


class PolicyFeedbackFilters(FilterSchema):
    policy: str | None = Field(None, max_length=60, description="policy code")

    def filter_policy(self, value):
        return Q(entitlement__policy__code=value) if value else Q()


class FitNoticeOut(Schema):
    id: int
    firm_id: int | None
    organisation_id: int | None
    person_id: int | None
    policy: str = Field(..., alias="policy.code")
    fit: str
    as_of: datetime.date
    missing: str
    created_at: datetime.datetime


class FitNoticeFilters(FilterSchema):
    policy: str | None = Field(None, max_length=60, description="policy code")
    firm: Id | None = None
    organisation: Id | None = None
    person: Id | None = None

    def filter_policy(self, value):
        return Q(policy__code=value) if value else Q()


class PolicySubscriptionFilters(FilterSchema):
    firm: Id | None = None


class PolicySubscriptionOut(Schema):
    id: int
    firm_id: int
    created_at: datetime.datetime
