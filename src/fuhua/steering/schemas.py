"""API schemas of steering: targets (metric, region, period, value, plan) and report snapshots."""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import InputSchema
from fuhua.registry.schemas import RegionCode, region_q

from .models import TargetMode


class TargetIn(InputSchema):
    metric: str = Field(..., max_length=60, description="a metric code of the catalogue (GET /steering/metrics)")
    region: str = RegionCode
    period: str = Field(..., max_length=20, description="a year (2024) or a range of years (2022-2024)")
    mode: TargetMode = TargetMode.BY_END
    value: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    plan_title: str = Field(..., max_length=200)
    plan_number: str = Field("", max_length=80, description="the plan's document number (文号)")
    plan_article: str = Field("", max_length=200)
    note: str = Field("", max_length=500)


class TargetOut(Schema):
    id: int
    metric: str
    metric_label: str
    region: str = Field(alias="region_id")
    period: str
    first_year: int
    last_year: int
    mode: str
    value: Decimal
    plan_title: str
    plan_number: str
    plan_article: str
    note: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TargetFilters(FilterSchema):
    metric: str | None = None
    region: str | None = Field(None, pattern=r"^\d{6}$", description="targets of this region or under it")

    def filter_region(self, value):
        return region_q("region", value)


class YearOut(Schema):
    year: int
    actual: float | None
    target: float | None
    met: bool | None


class ProgressOut(Schema):
    id: int
    metric: str
    metric_label: str
    unit: str
    region: str
    region_name: str
    period: str
    mode: str
    value: float
    plan_title: str
    plan_number: str
    plan_article: str
    as_of_year: int | None
    current: float | None
    completion: float | None = Field(description="per cent of the target reached (each_year: the weakest year)")
    years: list[YearOut]
    by_region: list[dict]
    forecast: dict | None = Field(description="carrier-count targets: carriers ready or closest to the next level")


class MetricOut(Schema):
    code: str
    label: str
    kind: str
    unit: str
    note: str


class SnapshotIn(InputSchema):
    region: str = RegionCode
    year: int = Field(..., ge=2000, le=2100)
    template: str = Field("annual-report", max_length=60)


class SnapshotOut(Schema):
    id: int
    region: str = Field(alias="region_id")
    year: int
    template: str
    checksum: str
    created_at: datetime.datetime


class SnapshotFilters(FilterSchema):
    region: str | None = Field(None, pattern=r"^\d{6}$")
    year: int | None = None

    def filter_region(self, value):
        return region_q("region", value)


class FiguresOut(Schema):
    region: str
    region_name: str
    year: int
    figures: list[dict]


Format = Literal["html", "pdf", "xlsx", "json"]
