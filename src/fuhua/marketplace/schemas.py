"""API schemas of the marketplace. Statuses, reasons and rating aggregates change only through services."""

import datetime
from decimal import Decimal

from django.db.models import Q
from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema
from fuhua.registry.schemas import Brief, region_q

from .models import ProductStatus, ProviderStatus, QualificationKind
from .services import is_orderable

Code = Field(..., max_length=60, pattern=r"^[a-z0-9_-]+$")


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    description: str


class CategoryFilters(FilterSchema):
    active: bool | None = None


class ProviderOut(Schema):
    id: int
    name: str = Field(alias="organisation.name")
    credit_code: str = Field(alias="organisation.credit_code")
    region: str = Field(alias="organisation.region_id")
    categories: list[str] = Field(description="category codes")
    regions: list[str] = Field(description="service region codes")
    introduction: str
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    website: str
    status: ProviderStatus
    status_reason: str
    status_changed_on: datetime.date | None
    applied_on: datetime.date | None
    listed_on: datetime.date | None
    qualification_expired: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_categories(obj) -> list[str]:
        return [c.code for c in obj.categories.all()]

    @staticmethod
    def resolve_regions(obj) -> list[str]:
        return [r.code for r in obj.regions.all()]


class ProviderChangeIn(InputSchema):
    categories: list[Id] = Field(..., min_length=1, max_length=30, description="service category ids")
    regions: list[str] = Field([], max_length=50, description="service region codes (GB/T 2260)")
    introduction: str = Field("", max_length=2000)
    contact_name: str = Field(..., max_length=60)
    contact_phone: str = Field(..., max_length=30)
    contact_email: str = Field("", max_length=254)
    address: str = Field("", max_length=200)
    website: str = Field("", max_length=200)


class ProviderApplyIn(ProviderChangeIn):
    credit_code: str = Field(..., max_length=30, description="统一社会信用代码 of the organisation (GB 32100-2015)")
    name: str = Field("", max_length=200, description="a new organisation's name (bureaus registering one)")
    region: str | None = Field(None, pattern=r"^\d{6}$", description="a new organisation's region")


class ProviderFilters(FilterSchema):
    status: ProviderStatus | None = None
    category: str | None = Field(None, max_length=40, description="category code")
    region: str | None = Field(None, pattern=r"^\d{6}$", description="registered or serving in this region")
    qualification_expired: bool | None = None

    def filter_category(self, value):
        return Q(categories__code=value) if value else Q()

    def filter_region(self, value):
        if value is None:
            return Q()
        return region_q("organisation__region", value) | region_q("regions", value)


def search_provider(q: str) -> Q:
    return Q(organisation__search__icontains=q.lower())


class MarketplaceStepIn(InputSchema):
    reason: str = Field("", max_length=500, description="required to decline, suspend, reinstate, delist, "
                                                        "reject and withdraw")


class QualificationOut(Schema):
    id: int
    provider: int = Field(alias="provider_id")
    kind: QualificationKind
    number: str
    issuer: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    has_attachment: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_has_attachment(obj) -> bool:
        return bool(obj.attachment)


class QualificationIn(InputSchema):
    provider: Id
    kind: QualificationKind
    number: str = Field(..., max_length=60)
    issuer: str = Field(..., max_length=120)
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None


class QualificationFilters(FilterSchema):
    provider: Id | None = None
    kind: QualificationKind | None = None
    expires_before: datetime.date | None = Field(None, description="valid until before this day")

    def filter_expires_before(self, value):
        return Q(valid_until__lt=value) if value else Q()


class ProductOut(Schema):
    id: int
    provider: int = Field(alias="provider_id")
    provider_name: str = Field(alias="provider.organisation.name")
    category: str = Field(alias="category.code")
    name: str
    description: str
    price_fen: int
    unit: str
    delivery_days: int
    programmes: list[str] = Field(description="codes of the voucher programmes that accept it")
    status: ProductStatus
    status_reason: str
    submitted_on: datetime.date | None
    published_on: datetime.date | None
    rating_count: int
    rating_avg: Decimal | None
    orderable: bool = Field(description="published, provider listed, no qualification expired")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_programmes(obj) -> list[str]:
        return [p.code for p in obj.programmes.all()]

    @staticmethod
    def resolve_orderable(obj) -> bool:
        return bool(is_orderable(obj))


class ProductIn(InputSchema):
    provider: Id
    category: Id
    name: str = Field(..., max_length=120)
    description: str = Field("", max_length=4000)
    price_fen: int = Field(..., ge=0, le=10**12)
    unit: str = Field("项", max_length=20)
    delivery_days: int = Field(..., ge=1, le=730)
    programme_codes: list[str] = Field([], max_length=50, description="codes of the voucher programmes that accept it")


class ProductFilters(FilterSchema):
    status: ProductStatus | None = None
    provider: Id | None = None
    category: str | None = Field(None, max_length=40, description="category code")
    region: str | None = Field(None, pattern=r"^\d{6}$", description="provider registered or serving here")
    price_min_fen: int | None = Field(None, ge=0)
    price_max_fen: int | None = Field(None, ge=0)
    min_rating: Decimal | None = Field(None, ge=1, le=5)
    programme: str | None = Field(None, max_length=60, description="accepted voucher programme code")
    catalogue: bool | None = Field(None, description="true: only what firms can order (published, listed)")

    def filter_category(self, value):
        return Q(category__code=value) if value else Q()

    def filter_region(self, value):
        if value is None:
            return Q()
        return region_q("provider__organisation__region", value) | region_q("provider__regions", value)

    def filter_price_min_fen(self, value):
        return Q(price_fen__gte=value) if value is not None else Q()

    def filter_price_max_fen(self, value):
        return Q(price_fen__lte=value) if value is not None else Q()

    def filter_min_rating(self, value):
        return Q(rating_avg__gte=value) if value is not None else Q()

    def filter_programme(self, value):
        return Q(programmes__code=value) if value else Q()

    def filter_catalogue(self, value):
        if not value:
            return Q()
        return Q(status=ProductStatus.PUBLISHED, provider__status=ProviderStatus.LISTED)


def search_product(q: str) -> Q:
    q = q.lower()
    return Q(search__icontains=q) | Q(provider__organisation__search__icontains=q)


class RatingOut(Schema):
    id: int
    product: int = Field(alias="product_id")
    firm: Brief
    score: int
    comment: str
    source: str
    created_at: datetime.datetime


class RatingFilters(FilterSchema):
    product: Id | None = None
    firm: Id | None = None
