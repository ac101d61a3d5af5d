"""API authentication: a bearer token (`Authorization: Bearer fh_…`) or the browser session.

Either way the user ends up in `request.auth_user`, and the changes the request makes are attributed
to that user in the audit trail (the middleware only knew the session user, if any).
"""

from __future__ import annotations

from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from fuhua.core import context

from . import token_cache


def _sign_in(request, user):
    request.auth_user = user
    request.user = user
    # RequestContextMiddleware opened the request's context before authentication ran.
    context.bind_user(user, source="api")
    return user


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = token_cache.authenticate(token)
        if api_token is None:
            return None
        request.auth_token = api_token  # a token may not mint one that outlives it (accounts.services)
        return _sign_in(request, api_token.user)


class SessionCsrfAuth(SessionAuth):
    """Django's session, with a CSRF check on unsafe methods (ninja's `django_auth`).

    Unlike `django_auth`, an anonymous request is simply not authenticated here (→ 401), instead
    of failing the CSRF check (→ 403) before anyone asked who it is.
    """

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken.")
        return _sign_in(request, request.user)


API_AUTH = [BearerTokenAuth(), SessionCsrfAuth()]
