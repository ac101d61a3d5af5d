"""Pulling over HTTP(S): the parent asks a child for the package after its last position, signing the request
with its instance key; the child answers only its registered parent whose signature verifies.

Request headers: X-Fuhua-Instance (the caller's code), X-Fuhua-Time (Unix seconds) and X-Fuhua-Signature
(base64 Ed25519 over "GET\\n<path>\\n<query>\\n<time>"). A request older or newer than MAX_SKEW seconds is
refused, so a captured request is worthless after five minutes; what it fetches is itself signed.
"""

from __future__ import annotations

import contextlib
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import keys
from .exchange import import_package, this_instance
from .models import PackageLog, Peer
from .package import PackageRefused
from .reasons import Reason

FEED_PATH = "/api/v1/network/feed"
MAX_SKEW = 300
TIMEOUT = 120


class SyncFailed(Reason):
    """The child could not be pulled; the message (reasons.REASONS[code]) says why."""


def signed_message(method: str, path: str, query: str, timestamp: str) -> bytes:
    return f"{method.upper()}\n{path}\n{query}\n{timestamp}".encode()


def signed_headers(method: str, path: str, query: str, key=None) -> dict[str, str]:
    instance = this_instance()
    timestamp = str(int(time.time()))
    return {"X-Fuhua-Instance": instance.code, "X-Fuhua-Time": timestamp,
            "X-Fuhua-Signature": keys.sign(signed_message(method, path, query, timestamp), key)}


def authenticate(request) -> Peer:
    """The registered parent that signed this request; PermissionError with the reason otherwise."""
    code = request.headers.get("X-Fuhua-Instance", "")
    timestamp = request.headers.get("X-Fuhua-Time", "")
    signature = request.headers.get("X-Fuhua-Signature", "")
    peer = Peer.objects.filter(code=code, relation=Peer.Relation.PARENT).first() if code else None
    if peer is None:
        raise PermissionError("unknown peer: not this instance's registered parent")
    try:
        skew = abs(time.time() - int(timestamp))
    except ValueError:
        skew = MAX_SKEW + 1
    if skew > MAX_SKEW:
        raise PermissionError("the request's time is missing or more than five minutes off")
    message = signed_message(request.method, request.path, request.META.get("QUERY_STRING", ""), timestamp)
    if not keys.verify(peer.public_key, message, signature):
        raise PermissionError("bad signature")
    return peer


def inbox() -> Path:
    folder = Path(settings.FUHUA_HOME) / "federation" / "inbox"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pull(peer: Peer, *, batch_size: int) -> PackageLog:
    """Fetch the package after `peer.position` from the child's address and import it.

    The download is kept in FUHUA_HOME/federation/inbox until it is imported: a sync killed while importing
    resumes that same package next time (its log says how many records were committed); a download cut off
    is fetched again (nothing of it was imported)."""
    pending = inbox() / f"{peer.code}.tar.gz"
    try:
        if pending.exists():
            with contextlib.suppress(PackageRefused):  # logged; e.g. superseded meanwhile: fetch afresh
                import_package(pending, batch_size=batch_size)  # resume the interrupted import first
            pending.unlink(missing_ok=True)
            peer.refresh_from_db()
        _download(peer, pending)
        log = import_package(pending, batch_size=batch_size)
        pending.unlink(missing_ok=True)
        return log
    except (SyncFailed, PackageRefused) as exc:
        pending.unlink(missing_ok=True)
        Peer.objects.filter(pk=peer.pk).update(last_error=str(exc)[:500], last_error_at=timezone.now())
        raise


def _download(peer: Peer, target: Path) -> None:
    if not peer.url:
        raise SyncFailed("no_address", peer=peer)
    query = urllib.parse.urlencode({"since": peer.position})
    url = peer.url.rstrip("/") + FEED_PATH + "?" + query
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SyncFailed("not_http", url=peer.url)
    request = urllib.request.Request(url, headers=signed_headers("GET", parts.path, query))  # noqa: S310
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response, partial.open("wb") as out:  # noqa: S310
            shutil.copyfileobj(response, out, 1 << 20)
    except urllib.error.HTTPError as exc:
        partial.unlink(missing_ok=True)
        detail = exc.read(500).decode("utf-8", "replace")
        raise SyncFailed("answered", peer=peer, status=exc.code, detail=detail) from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        partial.unlink(missing_ok=True)
        raise SyncFailed("unreachable", peer=peer, error=exc) from exc
    partial.replace(target)  # complete: only now does the inbox hold it
