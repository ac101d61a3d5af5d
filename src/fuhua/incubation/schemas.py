"""API schemas of incubation records. Status, left_on and leave_reason change only by transitions."""


import datetime

from django.db.models import Q
from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema
from fuhua.registry.choices import IndustryField, SizeClass
from fuhua.registry.schemas import Brief, RegionCode, region_q

from .models import IncubationStatus


class IncubationIn(InputSchema):
    firm: Id | None = Field(None, description="the firm incubated (or give `team`)")
    team: Id | None = Field(None, description="the start-up team incubated (or give `firm`)")
    carrier: Id
    applied_on: datetime.date | None = None
    entered_on: datetime.date | None = None


class IncubationOut(Schema):
    id: int
    firm: Brief | None
    team: Brief | None
    carrier: Brief
    status: str
    applied_on: datetime.date | None
    entered_on: datetime.date | None
    left_on: datetime.date | None
    leave_reason: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class IncubationFilters(FilterSchema):
    carrier: Id | None = None
    firm: Id | None = None
    team: Id | None = None
    status: IncubationStatus | None = None
    region: str | None = Field(None, pattern=r"^\d{6}$", description="carriers in this region or under it")

    def filter_region(self, value):
        return region_q("carrier__region", value)


def search_incubation(q: str) -> Q:
    q = q.lower()
    return Q(firm__search__icontains=q) | Q(team__search__icontains=q) | Q(carrier__search__icontains=q)



class CheckOut(Schema):
    name: str = Field(description="admission | time_limit | graduation")
    label: str
    applicable: bool = Field(description="false when no rule pack covers the date asked (see note)")
    passed: bool | None = Field(description="null when the rule does not apply")
    pack: str | None
    citation: str
    note: str


class IncubationStepIn(InputSchema):
    reason: str = Field("", max_length=200, description="required to graduate, exit or expire")
    on: datetime.date | None = Field(None, description="date of entry or departure; default today")
    override: bool = Field(False, description="admit despite the tenant rules (bureau staff, with a reason)")


class NewFirmIn(InputSchema):
    credit_code: str = Field(..., description="统一社会信用代码, 18 characters (GB 32100-2015)")
    name: str
    founded: datetime.date
    industry_field: IndustryField
    size_class: SizeClass = SizeClass.MICRO
    region: str = RegionCode


class ApplicantIn(InputSchema):
    carrier: Id = Field(..., description="one of the carriers you run (operators) or in your region (bureaus)")
    firm: Id | None = Field(None, description="an existing firm you may see (or give `new_firm`)")
    new_firm: NewFirmIn | None = Field(None, description="the firm to create with the application (or give `firm`)")
    applied_on: datetime.date | None = Field(None, description="default: today")
