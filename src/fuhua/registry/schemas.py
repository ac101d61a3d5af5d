"""API schemas of the registry: `…Out` answers, `…In` request bodies (PATCH makes every field
optional), `…Filters` list query parameters. Relations are written as ids and read as brief objects.
"""


import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, FilterSchema, Schema

from fuhua.core.schemas import Id, InputSchema

from .choices import (
    CarrierKind,
    CarrierStatus,
    DemoBaseType,
    DesignationKind,
    FundOwnership,
    IndustryField,
    InvestmentRound,
    IpKind,
    ListingBoard,
    NationalGrade,
    OrganisationKind,
    Ownership,
    RecognitionKind,
    RecognitionLevel,
    RegionLevel,
    SizeClass,
    Specialisation,
)
from .models import Education, Firm, FirmDesignation, FounderRole, MentorProfile, Recognition, Region, TalentTitle

RegionCode = Field(..., pattern=r"^\d{6}$", description="GB/T 2260 region code, e.g. 320500")
Blank = Literal[""]


# --- filter helpers ------------------------------------------------------------------------------


def region_q(path: str, code: str | None, param: str = "region") -> Q:
    """Everything whose region at `path` ("" for regions themselves) is `code` or lies under it
    (320500: all of Suzhou). An unknown code is an error on the query parameter `param`."""
    if code is None:
        return Q()
    region = Region.objects.filter(code=code).first()
    if region is None:
        message = _("Unknown region code %(code)s.") % {"code": code}
        raise ValidationError({param: ValidationError(message, code="unknown_region")})
    return region.subtree_q(path)


def carriers_at_level(level: str | None) -> Q:
    if level is None:
        return Q()
    return Q(pk__in=Recognition.objects.active().filter(level=level).values("carrier_id"))


# --- briefs: how other objects appear inside an answer ------------------------------------------


class RegionBrief(Schema):
    code: str
    name: str
    level: str


class Brief(Schema):
    id: int
    name: str


# --- regions ------------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    is_hardship: bool

    @staticmethod
    def resolve_parent(obj):
        return obj.parent_id


class RegionFilters(FilterSchema):
    level: RegionLevel | None = None
    parent: str | None = Field(None, pattern=r"^\d{6}$", description="direct children of this region")
    within: str | None = Field(None, pattern=r"^\d{6}$", description="this region and everything under it")

    def filter_parent(self, value):
        return Q(parent_id=value) if value else Q()

    def filter_within(self, value):
        return region_q("", value, "within") if value else Q()


def search_region(q: str) -> Q:
    return Q(name__icontains=q) | Q(code__startswith=q)


# --- organisations -------------------------------------------------------------------------------


class OrganisationIn(InputSchema):
    name: str
    credit_code: str = Field(..., description="统一社会信用代码, 18 characters (GB 32100-2015)")
    kind: OrganisationKind
    ownership: Ownership | Blank = Field("", description="ownership type as registered; empty: not recorded")
    region: str = RegionCode
    legal_representative: str = ""
    founded: datetime.date | None = None


class OrganisationOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str
    ownership: str
    region: RegionBrief
    legal_representative: str
    founded: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class OrganisationFilters(FilterSchema):
    region: str | None = Field(None, pattern=r"^\d{6}$")
    kind: OrganisationKind | None = None
    ownership: Ownership | None = None

    def filter_region(self, value):
        return region_q("region", value)


# --- carriers ------------------------------------------------------------------------------------


class CarrierIn(InputSchema):
    name: str
    kind: CarrierKind
    demo_base_type: DemoBaseType | Blank = ""
    operator: Id = Field(..., description="id of the operating organisation")
    region: str = RegionCode
    administering_region: str | None = Field(
        None, pattern=r"^\d{6}$", description="an enclave's administering region (GB/T 2260 code), if elsewhere")
    address: str = ""
    established: datetime.date
    incubation_area_m2: int
    tenant_area_m2: int
    workstations: int = 0
    specialisation: Specialisation = Specialisation.COMPREHENSIVE
    industry_field: IndustryField | Blank = ""



class CarrierStepIn(InputSchema):
    reason: str = Field("", max_length=200, description="why (required for every step of a carrier)")


class CarrierOut(Schema):
    id: int
    name: str
    kind: str
    demo_base_type: str
    operator: Brief
    region: RegionBrief
    administering_region: RegionBrief | None
    address: str
    established: datetime.date
    incubation_area_m2: int
    tenant_area_m2: int
    workstations: int
    specialisation: str
    industry_field: str
    status: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CarrierFilters(FilterSchema):
    region: str | None = Field(None, pattern=r"^\d{6}$", description="this region and everything under it")
    kind: CarrierKind | None = None
    specialisation: Specialisation | None = None
    industry_field: IndustryField | None = None
    status: CarrierStatus | None = None
    level: RecognitionLevel | None = Field(None, description="holds an active recognition at this level")
    operator: Id | None = None

    def filter_region(self, value):
        return region_q("region", value)

    def filter_level(self, value):
        return carriers_at_level(value)


# --- recognitions --------------------------------------------------------------------------------


class RecognitionIn(InputSchema):
    carrier: Id
    level: RecognitionLevel
    kind: RecognitionKind
    carrier_kind: CarrierKind
    authority: str
    document_number: str = Field(..., description="文号")
    granted_on: datetime.date
    valid_until: datetime.date | None = None
    revoked_on: datetime.date | None = None
    revoked_reason: str = ""
    national_grade: NationalGrade | Blank = ""


class RecognitionOut(Schema):
    id: int
    carrier: Brief
    level: str
    kind: str
    carrier_kind: str
    authority: str
    document_number: str
    granted_on: datetime.date
    valid_until: datetime.date | None
    revoked_on: datetime.date | None
    revoked_reason: str
    national_grade: str
    is_active: bool

    @staticmethod
    def resolve_is_active(obj):
        return obj.is_active()


class RecognitionFilters(FilterSchema):
    carrier: Id | None = None
    level: RecognitionLevel | None = None
    kind: RecognitionKind | None = None
    region: str | None = Field(None, pattern=r"^\d{6}$", description="carriers in this region or under it")
    active: bool | None = Field(None, description="in force today")

    def filter_region(self, value):
        return region_q("carrier__region", value)

    def filter_active(self, value):
        if value is None:
            return Q()
        active = Q(pk__in=Recognition.objects.active().values("pk"))
        return active if value else ~active


def search_recognition(q: str) -> Q:
    return Q(document_number__icontains=q) | Q(authority__icontains=q) | Q(carrier__search__icontains=q.lower())


# --- firms ---------------------------------------------------------------------------------------


class FirmIn(InputSchema):
    name: str
    credit_code: str = Field(..., description="统一社会信用代码, 18 characters (GB 32100-2015)")
    founded: datetime.date
    industry_field: IndustryField
    size_class: SizeClass = SizeClass.MICRO
    region: str = RegionCode
    listed_on: datetime.date | None = None
    listing_board: ListingBoard | Blank = ""
    acquired_on: datetime.date | None = None
    deregistered_on: datetime.date | None = None


class FirmOut(Schema):
    id: int
    name: str
    credit_code: str
    founded: datetime.date
    industry_field: str
    size_class: str
    region: RegionBrief
    listed_on: datetime.date | None
    listing_board: str
    acquired_on: datetime.date | None
    deregistered_on: datetime.date | None
    designations: list[str] = Field(..., description="designations held today")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_designations(obj):
        if isinstance(obj, dict):  # a list row (registry.api_rows.firm_rows)
            return obj["designations"]
        return sorted(obj.designations_active())


class FirmFilters(FilterSchema):
    region: str | None = Field(None, pattern=r"^\d{6}$", description="registered in this region or under it")
    industry_field: IndustryField | None = None
    size_class: SizeClass | None = None
    designation: DesignationKind | None = Field(None, description="holds this designation today")
    carrier: Id | None = Field(None, description="has been incubated at this carrier")

    def filter_region(self, value):
        return region_q("region", value)

    def filter_designation(self, value):
        if value is None:
            return Q()
        today = timezone.localdate()
        held = FirmDesignation.objects.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today), kind=value, granted_on__lte=today
        )
        return Q(pk__in=held.values("firm_id"))

    def filter_carrier(self, value):
        # Through the incubation records' reverse relation (by name: the registry sits below that app).
        return Q() if value is None else Q(pk__in=Firm.objects.filter(incubations__carrier_id=value).values("pk"))


# --- firm designations ---------------------------------------------------------------------------


class DesignationIn(InputSchema):
    firm: Id
    kind: DesignationKind
    granted_on: datetime.date
    expires_on: datetime.date | None = None
    certificate_number: str = ""


class DesignationOut(Schema):
    id: int
    firm: Brief
    kind: str
    granted_on: datetime.date
    expires_on: datetime.date | None
    certificate_number: str


class DesignationFilters(FilterSchema):
    firm: Id | None = None
    kind: DesignationKind | None = None


def search_designation(q: str) -> Q:
    return Q(certificate_number__icontains=q) | Q(firm__search__icontains=q.lower())


# --- start-up teams ------------------------------------------------------------------------------


class TeamIn(InputSchema):
    name: str
    leader: str
    members: int = 1
    industry_field: IndustryField
    formed_on: datetime.date
    student_founded: bool = False
    region: str = RegionCode
    firm: Id | None = Field(None, description="the firm the team registered as")


class TeamOut(Schema):
    id: int
    name: str
    leader: str
    members: int
    industry_field: str
    formed_on: datetime.date
    student_founded: bool
    region: RegionBrief
    firm: Brief | None


class TeamFilters(FilterSchema):
    region: str | None = Field(None, pattern=r"^\d{6}$")
    industry_field: IndustryField | None = None
    student_founded: bool | None = None

    def filter_region(self, value):
        return region_q("region", value)


# --- mentors and investors -----------------------------------------------------------------------


class MentorIn(InputSchema):
    name: str
    title: str = ""
    employer: str = ""
    industry_field: IndustryField
    region: str = RegionCode
    carriers: list[Id] = Field([], description="ids of the carriers served")
    full_time: bool = False


class MentorOut(Schema):
    id: int
    name: str
    title: str
    employer: str
    industry_field: str
    region: RegionBrief
    carriers: list[Brief]
    full_time: bool

    @staticmethod
    def resolve_carriers(obj):
        return list(obj.carriers.all())


class MentorFilters(FilterSchema):
    region: str | None = Field(None, pattern=r"^\d{6}$")
    industry_field: IndustryField | None = None
    carrier: Id | None = Field(None, description="serves this carrier")
    full_time: bool | None = None

    def filter_region(self, value):
        return region_q("region", value)

    def filter_carrier(self, value):
        through = MentorProfile.carriers.through.objects.filter(carrier_id=value)
        return Q() if value is None else Q(pk__in=through.values("mentorprofile_id"))


class InvestorIn(InputSchema):
    name: str
    institution: Id = Field(..., description="id of the investment institution (organisation)")
    position: str = ""
    focus_field: IndustryField
    region: str = RegionCode


class InvestorOut(Schema):
    id: int
    name: str
    institution: Brief
    position: str
    focus_field: str
    region: RegionBrief


class InvestorFilters(FilterSchema):
    region: str | None = Field(None, pattern=r"^\d{6}$")
    focus_field: IndustryField | None = None
    institution: Id | None = None

    def filter_region(self, value):
        return region_q("region", value)


# --- the facts the rules read (issue #3): investments, annual figures, IP rights; seed funds, staffing


def _tenants_of(carrier_id: int | None) -> Q:
    """Facts of firms that have been incubated at this carrier (a subquery: no duplicate rows), through the
    incubation records' reverse relation, named rather than imported (the registry sits below that app)."""
    if carrier_id is None:
        return Q()
    return Q(firm__in=Firm.objects.filter(incubations__carrier_id=carrier_id).values("pk"))


class InvestmentIn(InputSchema):
    firm: Id
    date: datetime.date
    amount_fen: int = Field(..., description="amount in fen (1 yuan = 100 fen)")
    round: InvestmentRound
    investor: Id | None = Field(None, description="id of the investing organisation (or give `investor_name`)")
    investor_name: str = ""
    from_carrier_fund: bool = Field(False, description="from the carrier's own or co-founded fund")
    carrier: Id | None = Field(None, description="the carrier whose fund invested (with `from_carrier_fund`)")


class InvestmentOut(Schema):
    id: int
    firm: Brief
    date: datetime.date
    amount_fen: int
    round: str
    investor: Brief | None
    investor_name: str
    from_carrier_fund: bool
    carrier: Brief | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class InvestmentFilters(FilterSchema):
    firm: Id | None = None
    carrier: Id | None = Field(None, description="investments in firms incubated at this carrier")
    fund_carrier: Id | None = Field(None, description="investments from this carrier's fund")
    year: int | None = Field(None, ge=1900, le=2200, description="dated in this year")
    round: InvestmentRound | None = None

    def filter_carrier(self, value):
        return _tenants_of(value)

    def filter_fund_carrier(self, value):
        return Q() if value is None else Q(carrier_id=value)

    def filter_year(self, value):
        return Q() if value is None else Q(date__year=value)


def search_investment(q: str) -> Q:
    return Q(investor_name__icontains=q) | Q(firm__search__icontains=q.lower())


class FirmYearFiguresIn(InputSchema):
    firm: Id
    year: int = Field(..., ge=1900, le=2200)
    revenue_fen: int = Field(0, description="revenue in fen")
    rd_spend_fen: int = Field(0, description="R&D spend in fen")
    employees: int = Field(0, ge=0)


class FirmYearFiguresOut(Schema):
    id: int
    firm: Brief
    year: int
    revenue_fen: int
    rd_spend_fen: int
    employees: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class FirmYearFiguresFilters(FilterSchema):
    firm: Id | None = None
    carrier: Id | None = Field(None, description="figures of firms incubated at this carrier")
    year: int | None = Field(None, ge=1900, le=2200)

    def filter_carrier(self, value):
        return _tenants_of(value)


def search_firm_fact(q: str) -> Q:
    return Q(firm__search__icontains=q.lower())


class IntellectualPropertyIn(InputSchema):
    firm: Id
    kind: IpKind
    number: str = Field(..., max_length=40, description="patent or registration number")
    applied_on: datetime.date
    granted_on: datetime.date | None = None
    lapsed_on: datetime.date | None = None


class IntellectualPropertyOut(Schema):
    id: int
    firm: Brief
    kind: str
    number: str
    applied_on: datetime.date
    granted_on: datetime.date | None
    lapsed_on: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class IntellectualPropertyFilters(FilterSchema):
    firm: Id | None = None
    carrier: Id | None = Field(None, description="rights of firms incubated at this carrier")
    kind: IpKind | None = None
    year: int | None = Field(None, ge=1900, le=2200, description="applied for in this year")

    def filter_carrier(self, value):
        return _tenants_of(value)

    def filter_year(self, value):
        return Q() if value is None else Q(applied_on__year=value)


def search_ip(q: str) -> Q:
    return Q(number__icontains=q) | Q(firm__search__icontains=q.lower())


class SeedFundIn(InputSchema):
    carrier: Id
    name: str
    size_fen: int = Field(..., description="size in fen")
    ownership: FundOwnership = FundOwnership.OWN
    established_on: datetime.date


class SeedFundOut(Schema):
    id: int
    carrier: Brief
    name: str
    size_fen: int
    ownership: str
    established_on: datetime.date
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SeedFundFilters(FilterSchema):
    carrier: Id | None = None
    ownership: FundOwnership | None = None
    year: int | None = Field(None, ge=1900, le=2200, description="established in this year")
    region: str | None = Field(None, pattern=r"^\d{6}$", description="carriers in this region or under it")

    def filter_year(self, value):
        return Q() if value is None else Q(established_on__year=value)

    def filter_region(self, value):
        return region_q("carrier__region", value)


def search_carrier_fact(q: str) -> Q:
    return Q(carrier__search__icontains=q.lower())


def search_seed_fund(q: str) -> Q:
    return Q(name__icontains=q) | search_carrier_fact(q)


class CarrierStaffingIn(InputSchema):
    carrier: Id
    year: int = Field(..., ge=1900, le=2200)
    staff_total: int = Field(..., ge=0)
    staff_professional: int = Field(..., ge=0, description="professional incubation staff")
    staff_fulltime: int = Field(..., ge=0, description="full-time service staff")


class CarrierStaffingOut(Schema):
    id: int
    carrier: Brief
    year: int
    staff_total: int
    staff_professional: int
    staff_fulltime: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CarrierStaffingFilters(FilterSchema):
    carrier: Id | None = None
    year: int | None = Field(None, ge=1900, le=2200)
    region: str | None = Field(None, pattern=r"^\d{6}$", description="carriers in this region or under it")

    def filter_region(self, value):
        return region_q("carrier__region", value)


# --- founders and key people (personal data: no identity number is kept; registry.models.people.Founder) ---


class FounderIn(InputSchema):
    name: str = Field(..., max_length=60)
    firm: Id | None = Field(None, description="id of the firm (or give team)")
    team: Id | None = Field(None, description="id of the start-up team (or give firm)")
    role: FounderRole = FounderRole.FOUNDER
    education: Education | Blank = ""
    overseas_returnee: bool = False
    student: bool = False
    talent_title: TalentTitle | Blank = ""
    title_granted_on: datetime.date | None = None


class FounderOut(Schema):
    id: int
    name: str
    firm: Brief | None
    team: Brief | None
    role: str
    education: str
    overseas_returnee: bool
    student: bool
    talent_title: str
    title_granted_on: datetime.date | None


class FounderFilters(FilterSchema):
    firm: Id | None = None
    team: Id | None = None
    education: Education | None = None
    talent_title: TalentTitle | None = None
