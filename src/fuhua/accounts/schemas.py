"""API schemas of the signed-in user and their API tokens."""


import datetime

from ninja import Field, Schema

from fuhua.core.schemas import InputSchema


class GrantOut(Schema):
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
    prefix: str = Field(..., description="the key's first characters, to recognise it")
    created_at: datetime.datetime
    expires_at: datetime.datetime | None


class TokenIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime.datetime | None = None


class NewTokenOut(TokenOut):
    key: str = Field(..., description="the bearer token; shown only now, store it safely")
