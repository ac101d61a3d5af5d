"""Security events (MLPS 2.0 audit of sign-ins, failures, lockouts, passwords, tokens, grants, exports).

`record_security_event(request_or_user, kind, detail)` is the one call other apps use, e.g. after an export:

    record_security_event(request, "export", {"what": "carriers", "rows": 120, "format": "xlsx"})
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from fuhua.core.context import current_actor

from .models import SecurityEvent


def record_security_event(request_or_user, kind: str, detail: dict | None = None, *, target: str = "",
                          username: str = "") -> SecurityEvent:
    """Record one security event with the acting user, client address and request id.

    `request_or_user`: the request (preferred: its client address is recorded), a user, or None (the
    current actor, e.g. in a command). `target`: the account the event concerns when it is not the actor
    (an unlock, a grant). `username`: for events without a user object (a failed sign-in)."""
    SecurityEvent.Kind(kind)  # an unknown kind is a programming error
    actor = current_actor()
    request = None if request_or_user is None or isinstance(request_or_user, get_user_model()) else request_or_user
    user = getattr(request, "user", None) if request is not None else request_or_user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    ip = getattr(request, "client_ip", None) or actor.ip or None
    if request is not None and ip is None:
        ip = request.META.get("REMOTE_ADDR") or None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(user.get_username() if user is not None else username or actor.username)[:150],
        target=target[:150],
        ip=ip,
        request_id=getattr(request, "request_id", "") or actor.request_id,
        source=actor.source,
        detail=detail or {},
    )
