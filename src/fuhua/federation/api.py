"""The pull endpoint: GET /api/v1/network/feed?since=N, answered to this instance's parent only.

Authenticated by the parent's Ed25519 signature (federation/transport.py), not by a user's token, and
answered with a package (application/gzip). Left out of the OpenAPI schema: it is an instance-to-instance
protocol, specified in docs/federation.md, not a user's API.
"""

import os
import tempfile
from pathlib import Path

from django.http import FileResponse, JsonResponse
from django.utils import timezone
from ninja import Router

from fuhua.core.context import acting_as

from .exchange import NotConfigured, export_package
from .models import Peer
from .transport import authenticate


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"status": status, "code": code, "message": message, "errors": []}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def feed(request, since: int = 0):
    try:
        parent = authenticate(request)
    except PermissionError as exc:
        return _error(403, "peer_refused", str(exc))
    if since < 0:
        return _error(422, "validation_error", "since must be 0 or more")
    folder = Path(tempfile.mkdtemp(prefix="fuhua-feed-"))
    try:
        with acting_as(None, source="api"):
            path, meta = export_package(parent, folder / "package.tar.gz", since=since)
            Peer.objects.filter(pk=parent.pk).update(position=since, last_sync_at=timezone.now())
    except NotConfigured as exc:
        return _error(409, "not_configured", str(exc))
    handle = path.open("rb")
    os.unlink(path)  # the open handle keeps it readable until the response is sent
    os.rmdir(folder)
    response = FileResponse(handle, content_type="application/gzip", as_attachment=True,
                            filename=f"fuhua-{meta['source']['code']}-{meta['from_position']}-{meta['to_position']}"
                                     ".tar.gz")
    response["X-Fuhua-Position"] = str(meta["to_position"])
    return response


def routers() -> dict[str, Router]:
    """URL prefix → router; api.py mounts each under /api/v1/<prefix>."""
    router = Router(tags=["network"])
    router.add_api_operation("/feed", ["GET"], feed, auth=None, include_in_schema=False)
    return {"network": router}
