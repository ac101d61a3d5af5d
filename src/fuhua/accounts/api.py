"""Who am I (`/me`) and my API tokens (`/tokens`). Tokens belong to their user: no one else, not even
an administrator, lists or revokes them here."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from fuhua.core.api_crud import operation
from fuhua.core.api_errors import COMMON_ERRORS, OBJECT_ERRORS

from .models import ApiToken
from .roles import grants_of, roles_of
from .schemas import MeOut, NewTokenOut, TokenIn, TokenOut

router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, **COMMON_ERRORS}, **operation("me", "The signed-in user"))
def me(request):
    user = request.auth_user
    return {"user": user, "roles": sorted(roles_of(user)), "scopes": grants_of(user)}


@router.get("/tokens", response={200: list[TokenOut], **COMMON_ERRORS}, **operation("token_list", "My API tokens"))
def list_tokens(request):
    return ApiToken.objects.filter(user=request.auth_user).order_by("-created_at", "-id")


@router.post("/tokens", response={201: NewTokenOut, **COMMON_ERRORS},
             **operation("token_create", "Create an API token; its key is shown once"))
def create_token(request, payload: TokenIn):
    if payload.expires_at and payload.expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    token, key = ApiToken.issue(request.auth_user, payload.name, expires_at=payload.expires_at)
    token.key = key  # only in this answer; the database keeps the hash
    return Status(201, token)


@router.delete("/tokens/{id}", response={204: None, **OBJECT_ERRORS},
               **operation("token_delete", "Revoke one of my API tokens"))
def revoke_token(request, id: int):
    get_object_or_404(ApiToken, pk=id, user=request.auth_user).delete()
    return Status(204, None)
