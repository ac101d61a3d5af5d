"""API schemas of vouchers. Money is integer fen; times are ISO 8601 with the zone."""

import datetime

from django.db.models import Q
from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema

from .models import AuditItemStatus, BatchStatus, EntryKind, OrderStatus, RedemptionStatus, VoucherStatus


class ProgrammeOut(Schema):
    id: int
    code: str
    title: str
    issuer: str
    document_number: str
    region_id: str
    pack_version: datetime.date
    illustrative: bool


class ProgrammeFilters(FilterSchema):
    region: str | None = Field(None, max_length=12, description="region code")


class BatchOut(Schema):
    id: int
    programme: str = Field(..., alias="programme.code")
    number: int
    title: str
    budget_fen: int
    face_value_fen: int
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    status: str
    returned_fen: int
    reissued_fen: int


class BatchFilters(FilterSchema):
    programme: str | None = Field(None, max_length=60, description="programme code")
    status: BatchStatus | None = None

    def filter_programme(self, value):
        return Q(programme__code=value) if value else Q()


class BatchIn(InputSchema):
    programme: Id
    number: int = Field(..., ge=1, le=999)
    title: str = Field(..., min_length=1, max_length=200)
    budget_fen: int = Field(..., ge=1, le=10**15)
    opens_at: datetime.datetime
    closes_at: datetime.datetime


class VoucherOut(Schema):
    id: int
    batch_id: int
    programme: str = Field(..., alias="batch.programme.code")
    firm_id: int
    face_value_fen: int
    status: str
    claimed_at: datetime.datetime
    valid_until: datetime.date
    idempotency_key: str
    settled_fen: int
    returned_fen: int


class VoucherFilters(FilterSchema):
    batch: Id | None = None
    status: VoucherStatus | None = None


class ClaimIn(InputSchema):
    batch: Id
    idempotency_key: str = Field(..., min_length=1, max_length=64,
                                 description="The client's key of this request: a retry with the same key answers "
                                             "the voucher the first attempt claimed, never a second one.")
    firm: Id | None = Field(None, description="only for an account acting for several firms")


class ClaimOut(Schema):
    code: str = Field(..., description="claimed")
    replay: bool
    voucher: VoucherOut


class ClaimRefusedOut(Schema):
    status: int
    code: str = Field(..., description="sold_out | limit_reached | not_eligible | not_open | closed | busy")
    message: str


class OrderOut(Schema):
    id: int
    voucher_id: int
    firm_id: int
    product_id: int
    provider_id: int
    category_code: str
    product_name: str
    price_fen: int
    covered_fen: int
    firm_pays_fen: int
    copay_note: str
    note: str
    status: str
    placed_at: datetime.datetime
    confirm_by: datetime.date
    deliver_by: datetime.date | None
    delivered_at: datetime.datetime | None
    accept_by: datetime.date | None
    accepted_at: datetime.datetime | None
    delivery_note: str
    dispute_reason: str
    status_reason: str


class OrderFilters(FilterSchema):
    voucher: Id | None = None
    provider: Id | None = None
    status: OrderStatus | None = None


class OrderIn(InputSchema):
    voucher: Id
    product: Id
    note: str = Field("", max_length=500)


class VoucherReasonIn(InputSchema):
    reason: str = Field("", max_length=500)


class DeliverIn(InputSchema):
    note: str = Field("", max_length=2000)


class RateIn(InputSchema):
    score: int | None = Field(None, ge=1, le=5, description="1 to 5 (required)")
    reason: str = Field("", max_length=500, description="the firm's comment on the service")


class EvidenceOut(Schema):
    id: int
    order_id: int
    title: str
    file: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_file(obj) -> str:
        return obj.file.name


class RedemptionOut(Schema):
    id: int
    order_id: int
    provider_id: int
    amount_fen: int
    status: str
    applied_at: datetime.datetime
    reviewed_at: datetime.datetime | None
    review_note: str


class RedemptionFilters(FilterSchema):
    status: RedemptionStatus | None = None
    provider: Id | None = None


class RedeemIn(InputSchema):
    amount_fen: int | None = Field(None, ge=1, le=10**15, description="default: all the voucher covers")
    reason: str = Field("", max_length=500, description="a note kept in the audit trail")


class ReviewIn(InputSchema):
    redemptions: list[Id] = Field([], max_length=1000, description="the batch's redemptions to decide (required)")
    approve: bool | None = Field(None, description="true: approve, false: reject (required)")
    reason: str = Field("", max_length=500, description="the review note (required to reject)")


class SettleIn(InputSchema):
    redemptions: list[Id] = Field([], max_length=1000, description="approved redemptions of the batch (required)")
    reference: str = Field("", max_length=80, description="the payment's reference (拨付文号)")
    reason: str = Field("", max_length=500, description="a note kept in the audit trail")


class EntryOut(Schema):
    id: int
    programme: str = Field(..., alias="programme.code")
    batch_id: int
    voucher_id: int
    redemption_id: int | None
    provider_id: int
    firm_id: int
    key: str
    kind: str
    amount_fen: int
    reverses_id: int | None
    paid_on: datetime.date
    reference: str
    reason: str


class EntryFilters(FilterSchema):
    kind: EntryKind | None = None
    batch: Id | None = None


class SampleIn(InputSchema):
    seed: int | None = Field(None, ge=0, le=2**62, description="default: a random seed (stored, so it redraws)")
    rate_percent: float | None = Field(None, gt=0, le=100, description="default: the programme's audit rate")
    reason: str = Field("", max_length=500, description="why the sample is drawn (kept in the audit trail)")


class SampleOut(Schema):
    id: int
    programme: str = Field(..., alias="programme.code")
    seed: int
    rate_percent: float
    population_size: int
    drawn_on: datetime.date
    redemptions: list[int]

    @staticmethod
    def resolve_redemptions(obj) -> list[int]:
        return sorted(obj.items.values_list("redemption_id", flat=True))


class FindingIn(InputSchema):
    reason: str = Field("", max_length=500, description="the finding (required)")
    clawback_fen: int = Field(0, ge=0, le=10**15)


class AuditItemFilters(FilterSchema):
    status: AuditItemStatus | None = None


class AuditItemOut(Schema):
    id: int
    sample_id: int
    redemption_id: int
    status: str
    finding: str
    clawback_fen: int
