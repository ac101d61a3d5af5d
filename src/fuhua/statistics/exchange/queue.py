"""Which uploads import in the worker, and queuing them (shared by the API and the upload pages)."""

from __future__ import annotations

from django.conf import settings

from ..tasks import run_import
from . import jobs


def in_background(upload) -> bool:
    """Files larger than FUHUA_IMPORT_BACKGROUND_BYTES import in the worker, not in the request."""
    return upload is not None and upload.size > getattr(settings, "FUHUA_IMPORT_BACKGROUND_BYTES", 2 * 2**20)


def queue_import(upload, user, kind: str, *, dry_run: bool, year: int | None = None) -> dict:
    job = jobs.create_job(upload, user, kind, dry_run=dry_run, year=year)
    run_import.enqueue(job["id"])
    return job
