"""Background imports: the uploaded file and its job record in FUHUA_HOME/uploads, read by the worker.

A job is a folder-free pair of files under a random token: ``<token>`` (the upload) and ``<token>.json``
(who, what, status, progress, result). The web process writes the record when it queues the job; the
worker updates it after each chunk (a small file replaced atomically, so no database write competes
with the import). Uploads are deleted when an import succeeds; failed ones are kept for their error
workbook for FUHUA_UPLOAD_RETENTION_DAYS and then removed by `cleanup_uploads` (scheduled hourly).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def upload_dir() -> Path:
    path = Path(settings.FUHUA_HOME) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def valid_token(token: str) -> bool:
    return bool(_TOKEN.match(token or ""))


def upload_path(token: str) -> Path:
    if not valid_token(token):
        raise ValueError("bad upload token")
    return upload_dir() / token


def store_upload(upload) -> str:
    """Save an uploaded file (streamed in chunks) under a new token; returns the token."""
    token = secrets.token_urlsafe(16)
    with open(upload_dir() / token, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return token


def create_job(upload, user, kind: str, *, dry_run: bool, year: int | None = None) -> dict:
    token = store_upload(upload)
    job = {"id": token, "kind": kind, "user_id": user.pk, "filename": upload.name or "upload", "year": year,
           "dry_run": dry_run, "size": upload.size, "status": QUEUED, "phase": "", "rows": 0,
           "created": timezone.now().isoformat(), "finished": None, "result": None, "error": ""}
    save_job(job)
    return job


def save_job(job: dict) -> None:
    folder = upload_dir()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".job-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(job, fh, ensure_ascii=False)
    os.replace(tmp, folder / f"{job['id']}.json")


def load_job(token: str) -> dict | None:
    if not valid_token(token):
        return None
    try:
        return json.loads((upload_dir() / f"{token}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def job_for(user, token: str) -> dict | None:
    """The job if `user` queued it (an administrator sees every job); None otherwise."""
    job = load_job(token)
    if job is None or (job.get("user_id") != user.pk and not user.is_superuser):
        return None
    return job


def update_job(token: str, **fields) -> dict | None:
    job = load_job(token)
    if job is None:
        return None
    job.update(fields)
    save_job(job)
    return job


def finish_job(token: str, result: dict | None, *, error: str = "") -> dict | None:
    """Record the outcome; the upload goes unless it is needed for an error workbook."""
    failed = bool(error) or not (result or {}).get("ok", False)
    job = update_job(token, status=FAILED if error else DONE, result=result, error=error,
                     finished=timezone.now().isoformat())
    if not failed:
        upload_path(token).unlink(missing_ok=True)
    return job


def cleanup(now: datetime.datetime | None = None) -> int:
    """Delete uploads and job records older than the retention period; returns how many files went."""
    days = getattr(settings, "FUHUA_UPLOAD_RETENTION_DAYS", 7)
    cutoff = (now or timezone.now()).timestamp() - days * 86400
    removed = 0
    for path in upload_dir().iterdir():
        if not path.is_file():
            continue
        name = path.name.removesuffix(".json")
        if not (valid_token(name) or path.name.startswith(".job-")):
            continue  # not ours
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
