"""Request context (id, client address, acting user), session activity (the idle timeout) and the security headers
of every response."""

from __future__ import annotations

import functools
import ipaddress
import re
import time

from django.conf import settings
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .context import acting_as, new_request_id

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    ip = _parse(address or "")
    return ip is not None and any(ip in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str:
    """The client's address: the direct peer, unless that peer is a trusted proxy (FUHUA_TRUSTED_PROXIES);
    then the nearest address in X-Forwarded-For that is not itself a trusted proxy.

    X-Forwarded-For is read right to left because each proxy appends the address it saw: only the
    entries added by our own proxies are trustworthy; anything further left may be forged by the client.
    """
    peer = request.META.get("REMOTE_ADDR", "") or ""
    if not is_trusted_proxy(peer):
        return peer
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _parse(hop)
        if ip is None:
            return peer  # a malformed entry: trust nothing to its left
        if not is_trusted_proxy(hop):
            return str(ip)
    return str(_parse(hops[0])) if hops else peer


# How often a signed-in session's last activity is written (SessionActivityMiddleware): the idle timeout is kept
# to the minute, and a page view does not write to the database each time.
SESSION_ACTIVITY_RESOLUTION = 60
_SEEN = "_fuhua_seen"


class SessionActivityMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE) counts from the last request, as Django's SESSION_SAVE_EVERY_REQUEST
    would have it, but the session is written at most once a minute: a signed-in user's page views and API calls
    no longer each UPDATE the session row (a write per read, on the primary, even for pages a replica serves).
    The session's expiry is moved on when it is saved; an idle session expires between timeout − 1 minute and the
    timeout. Listed after SessionMiddleware, so that the mark is set before the session is saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.modified and not session.is_empty():
            now = int(time.time())
            if now - session.get(_SEEN, 0) >= SESSION_ACTIVITY_RESOLUTION:
                session[_SEEN] = now  # modified: SessionMiddleware saves it, with a new expiry
        return response


class RequestContextMiddleware:
    """Gives each request a server-generated id (a trusted proxy's X-Request-ID is kept), records the
    client address, and attributes the request's changes to its user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        trusted = is_trusted_proxy(request.META.get("REMOTE_ADDR"))
        request_id = incoming if trusted and _SAFE_REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        request.client_ip = client_ip(request)
        source = "api" if request.path.startswith("/api/") else "web"
        with acting_as(request.user, source=source, request_id=request_id, ip=request.client_ip):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


# No inline scripts anywhere (the templates load fuhua.js and htmx from 'self'); styles may be inline
# (Swagger UI and a few width attributes); nothing may frame the site or post forms elsewhere.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Referrer-Policy", "same-origin")
        return response


class SafeRedirectMiddleware:
    """A redirect that would leave this site (e.g. to a `next=` a form was given) goes to the dashboard.

    Views should check `next` themselves (`safe_next`); this is the net under all of them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        location = response.get("Location") if response.status_code in (301, 302, 303, 307, 308) else None
        if location and not url_has_allowed_host_and_scheme(
                location, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            return redirect(settings.LOGIN_REDIRECT_URL)
        return response


def safe_next(request, default: str = "/") -> str:
    """The request's `next` (POST or GET) if it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default
