"""Who is acting and in which request: read by the audit trail, set by middleware and the CLI."""

from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    request_id: str
    source: str  # "web", "api", "cli", "task", "system"
    ip: str = ""  # the client's address (behind a trusted proxy: from X-Forwarded-For)


_SYSTEM = Actor(user_id=None, username="system", request_id="", source="system")
_current: ContextVar[Actor] = ContextVar("fuhua_actor", default=_SYSTEM)


def current_actor() -> Actor:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def acting_as(user=None, *, source: str, request_id: str | None = None, ip: str = ""):
    """Attribute every change made inside the block to `user` (None: the system)."""
    actor = Actor(
        user_id=getattr(user, "pk", None),
        username=getattr(user, "username", "") or "system",
        request_id=request_id or new_request_id(),
        source=source,
        ip=ip or (current_actor().ip if source != "cli" else ""),
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


@contextlib.contextmanager
def acting_for(user):
    """Within a request (or command), attribute changes to the user a service acts for."""
    actor = current_actor()
    if user is None or getattr(user, "pk", None) == actor.user_id:
        yield actor
        return
    with acting_as(user, source=actor.source if actor.source != "system" else "service",
                   request_id=actor.request_id or None, ip=actor.ip) as inner:
        yield inner


def bind_user(user, *, source: str) -> None:
    """Attribute the rest of the current request to `user`: for authentication that runs after the
    middleware opened the request's context (API tokens). The middleware resets it at the end."""
    actor = current_actor()
    _current.set(Actor(user_id=user.pk, username=user.get_username(), request_id=actor.request_id, source=source,
                       ip=actor.ip))


_reason: ContextVar[str] = ContextVar("fuhua_change_reason", default="")


def current_reason() -> str:
    return _reason.get()


@contextlib.contextmanager
def change_reason(reason: str):
    """Record `reason` on every audited change made inside the block (transitions, overrides)."""
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)
