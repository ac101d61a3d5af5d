"""A short in-process memory of authenticated API tokens, so that a client's burst of requests does not
look the token, the account's lockout state and the role grants up again on every request.

An entry lives FUHUA_API_TOKEN_CACHE_SECONDS (default 30; 0 turns the memory off) and never past the
token's expiry. Any change in this process to a token, a user, a role grant or a sign-in failure record,
and any failed sign-in, forgets every entry at once, so revocation, deactivation, a change of role and a
lockout take effect here at the next request. In other worker processes the same change takes effect at
most FUHUA_API_TOKEN_CACHE_SECONDS later: that is the bound on revocation delay (docs/security.md).

Each request gets its own copies of the token and user objects (with the grants memoised on the user,
as `grants_of` expects), never the shared ones. Each entry also carries a memo for values derived from
the grants alone (`core.scoping.scope_memo`: the API kit keeps compiled scoped queries there), dropped
with the entry.
"""

from __future__ import annotations

import copy
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from fuhua.core.scoping import SCOPE_MEMO

from .models import ApiToken, RoleGrant, _hash
from .roles import grants_of

# key hash → (monotonic deadline, token with its user, the user's grants, the grants' memo)
_entries: dict[str, tuple[float, ApiToken, list, dict]] = {}


def forget_all(*args, **kwargs) -> None:
    """Drop every remembered token (signal receivers call this with their own arguments)."""
    _entries.clear()


def _fresh(token: ApiToken, grants: list, memo: dict) -> ApiToken:
    token = copy.copy(token)
    user = copy.copy(token.user)
    user._fuhua_grants = list(grants)
    setattr(user, SCOPE_MEMO, memo)  # lives and dies with the entry (core.scoping.scope_memo)
    token.user = user
    return token


def authenticate(key: str) -> ApiToken | None:
    """Like `ApiToken.authenticate`, answered from memory while the entry is fresh."""
    ttl = settings.API_TOKEN_CACHE_SECONDS
    if ttl <= 0:
        return ApiToken.authenticate(key)
    key_hash = _hash(key or "")
    entry = _entries.get(key_hash)
    now = time.monotonic()
    if entry is not None:
        deadline, token, grants, memo = entry
        if now < deadline and token.expires_at > timezone.now():
            return _fresh(token, grants, memo)
        _entries.pop(key_hash, None)
    token = ApiToken.authenticate(key)
    if token is None:
        return None
    grants = grants_of(token.user)
    memo: dict = {}
    _entries[key_hash] = (now + ttl, _fresh(token, grants, memo), grants, memo)
    setattr(token.user, SCOPE_MEMO, memo)
    return token


def connect() -> None:
    """Forget on every change that could make a remembered token unusable or change what it may do."""
    for model in (ApiToken, get_user_model(), RoleGrant):
        post_save.connect(forget_all, sender=model, dispatch_uid=f"token_cache_save_{model._meta.label_lower}")
        post_delete.connect(forget_all, sender=model, dispatch_uid=f"token_cache_delete_{model._meta.label_lower}")
    from axes.models import AccessAttempt
    from axes.signals import user_locked_out

    post_save.connect(forget_all, sender=AccessAttempt, dispatch_uid="token_cache_save_attempt")
    post_delete.connect(forget_all, sender=AccessAttempt, dispatch_uid="token_cache_delete_attempt")
    user_login_failed.connect(forget_all, dispatch_uid="token_cache_login_failed")
    user_locked_out.connect(forget_all, dispatch_uid="token_cache_locked_out")
