"""API schemas of the signed-in user and their API tokens."""


import datetime

from ninja import Field, Schema

from fuhua.core.schemas import InputSchema


class GrantOut(Schema):
    id: int
    role: str
    role_label: str
    scope: str = Field(..., description="what the role is limited to, e.g. a region or a firm")
    region: str | None
    organisation: int | None
    firm: int | None
    mentor: int | None
    investor: int | None

    @staticmethod
    def resolve_role_label(obj):
        return str(obj.get_role_display())

    @staticmethod
    def resolve_scope(obj):
        target = obj.region or obj.organisation or obj.firm or obj.mentor or obj.investor
        return str(target) if target else ""

    @staticmethod
    def resolve_region(obj):
        return obj.region_id

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation_id

    @staticmethod
    def resolve_firm(obj):
        return obj.firm_id

    @staticmethod
    def resolve_mentor(obj):
        return obj.mentor_id

    @staticmethod
    def resolve_investor(obj):
        return obj.investor_id


class UserOut(Schema):
    id: int
    username: str
    email: str
    full_name: str
    is_superuser: bool

    @staticmethod
    def resolve_full_name(obj):
        return obj.get_full_name()


class MeOut(Schema):
    user: UserOut
    roles: list[str]
    scopes: list[GrantOut]


class TokenOut(Schema):
    id: int
    name: str
    user: str = Field(..., description="the account the token acts as")
    prefix: str = Field(..., description="the key's first characters, to recognise it")
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    expired: bool

    @staticmethod
    def resolve_user(obj):
        return obj.user.get_username()

    @staticmethod
    def resolve_expired(obj):
        return obj.is_expired


class TokenIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime.datetime | None = Field(
        None, description="default: FUHUA_API_TOKEN_DAYS from now; never later than the token making the request")


class NewTokenOut(TokenOut):
    key: str = Field(..., description="the bearer token; shown only now, store it safely")


class AdminUserOut(Schema):
    id: int
    username: str
    email: str
    full_name: str
    is_active: bool
    home_region: str | None
    last_login: datetime.datetime | None
    grants: list[GrantOut]

    @staticmethod
    def resolve_full_name(obj):
        return obj.get_full_name()

    @staticmethod
    def resolve_home_region(obj):
        profile = getattr(obj, "account", None)
        return profile.home_region_id if profile is not None else None

    @staticmethod
    def resolve_grants(obj):
        return list(obj.role_grants.all())


class InviteIn(InputSchema):
    username: str = Field(..., min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    email: str = Field(..., min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    home_region: str | None = Field(None, max_length=12, description="region code the account belongs to")


class GrantIn(InputSchema):
    role: str = Field(..., max_length=20)
    region: str | None = Field(None, max_length=12)
    organisation: int | None = None
    firm: int | None = None
    mentor: int | None = None
    investor: int | None = None
