"""Who am I (`/me`), API tokens (`/tokens`) and account administration (`/users`, `/grants`).

Everyone lists and revokes their own tokens; a security administrator (or the platform administrator)
also those of the accounts in its scope. Account administration follows accounts.services."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fuhua.core.api_crud import operation, page_schema, paginate
from fuhua.core.api_errors import COMMON_ERRORS, OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.schemas import InputSchema

from . import services
from .models import RoleGrant
from .roles import Role, grants_of, roles_of
from .schemas import AdminUserOut, GrantIn, GrantOut, InviteIn, MeOut, NewTokenOut, TokenIn, TokenOut

router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, **COMMON_ERRORS}, **operation("me", "The signed-in user"))
def me(request):
    user = request.auth_user
    return {"user": user, "roles": sorted(roles_of(user)), "scopes": grants_of(user)}


class TokenFilters(Schema):
    mine: bool = Field(True, description="only my own tokens; false: also those of accounts I administer")


@router.get("/tokens", response={200: list[TokenOut], **COMMON_ERRORS},
            **operation("token_list", "API tokens: mine, or all I may revoke (`mine=false`)"))
def list_tokens(request, filters: Query[TokenFilters]):
    return services.tokens_visible_to(request.auth_user, mine_only=filters.mine).order_by("-created_at", "-id")


@router.post("/tokens", response={201: NewTokenOut, **COMMON_ERRORS},
             **operation("token_create", "Create an API token; its key is shown once. It expires "
                                         "(by default after FUHUA_API_TOKEN_DAYS) and never after the token used "
                                         "to create it"))
def create_token(request, payload: TokenIn):
    token, key = services.issue_token(request.auth_user, request, payload.name, payload.expires_at,
                                      via_token=getattr(request, "auth_token", None))
    token.key = key  # only in this answer; the database keeps the hash
    return Status(201, token)


@router.delete("/tokens/{id}", response={204: None, **OBJECT_ERRORS},
               **operation("token_delete", "Revoke an API token (mine, or one of an account I administer)"))
def revoke_token(request, id: int):
    token = get_object_or_404(services.tokens_visible_to(request.auth_user), pk=id)
    services.revoke_token(request.auth_user, request, token)
    return Status(204, None)


# --- account administration ----------------------------------------------------------------------------

class UserFilters(Schema):
    role: Role | None = None
    region: str | None = Field(None, max_length=12, description="region code: accounts within its subtree")
    active: bool | None = None
    q: str | None = Field(None, max_length=100)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def _target(request, id: int, power: str):
    services.require(request.auth_user, power)
    return get_object_or_404(services.users_in_scope(request.auth_user, power), pk=id)


def _region(code):
    if not code:
        return None
    region = RoleGrant._meta.get_field("region").related_model.objects.filter(pk=code).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code.")})
    return region


@router.get("/users", response={200: page_schema(AdminUserOut), **COMMON_ERRORS},
            **operation("user_list", "Accounts I administer"))
def list_users(request, filters: Query[UserFilters]):
    actor = request.auth_user
    if not (services.has_power(actor, "users") or services.has_power(actor, "grants")):
        services.require(actor, "users")
    active = "" if filters.active is None else ("1" if filters.active else "0")
    users = services.user_list(actor, role=filters.role or "", region=_region(filters.region), active=active,
                               query=filters.q or "")
    return paginate(users, filters.limit, filters.offset)


@router.post("/users", response={201: AdminUserOut, **WRITE_ERRORS},
             **operation("user_invite", "Invite a user: an inactive account and an e-mail to set a password"))
def invite_user(request, payload: InviteIn):
    user = services.invite_user(request.auth_user, request, username=payload.username, email=payload.email,
                                first_name=payload.first_name, last_name=payload.last_name,
                                home_region=_region(payload.home_region))
    return Status(201, user)


class ActiveIn(InputSchema):
    active: bool


@router.post("/users/{id}/active", response={200: AdminUserOut, **WRITE_ERRORS},
             **operation("user_set_active", "Activate or deactivate an account"))
def set_active(request, id: int, payload: ActiveIn):
    user = _target(request, id, "users")
    services.set_active(request.auth_user, request, user, payload.active)
    return user


@router.post("/users/{id}/password-reset", response={204: None, **WRITE_ERRORS},
             **operation("user_password_reset", "Reset an account's password: the owner is e-mailed a link"))
def reset_password(request, id: int):
    services.reset_password(request.auth_user, request, _target(request, id, "users"))
    return Status(204, None)


@router.post("/users/{id}/unlock", response={204: None, **WRITE_ERRORS},
             **operation("user_unlock", "Lift a sign-in lockout"))
def unlock(request, id: int):
    services.unlock_account(request.auth_user, request, _target(request, id, "locks"))
    return Status(204, None)


@router.post("/users/{id}/grants", response={201: GrantOut, **WRITE_ERRORS},
             **operation("grant_create", "Grant a role to an account"))
def create_grant(request, id: int, payload: GrantIn):
    user = _target(request, id, "grants")
    scope = {"region": _region(payload.region)}
    for field in ("organisation", "firm", "mentor", "investor"):
        pk = getattr(payload, field)
        if pk is not None:
            model = RoleGrant._meta.get_field(field).related_model
            scope[field] = model.objects.restrict(request.auth_user, "view").filter(pk=pk).first()
            if scope[field] is None:
                raise ValidationError({field: _("Not found in your scope.")})
    return Status(201, services.grant_role(request.auth_user, request, user, payload.role, **scope))


@router.delete("/grants/{id}", response={204: None, **OBJECT_ERRORS},
               **operation("grant_delete", "Revoke a role grant"))
def delete_grant(request, id: int):
    services.require(request.auth_user, "grants")
    grant = get_object_or_404(RoleGrant.objects.filter(user__in=services.users_in_scope(request.auth_user, "grants")),
                              pk=id)
    services.revoke_grant(request.auth_user, request, grant)
    return Status(204, None)
