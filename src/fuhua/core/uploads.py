"""Size caps on uploaded files.

`CappedUploadHandler` (first in settings.FILE_UPLOAD_HANDLERS) stops receiving a file once it passes
FUHUA_UPLOAD_HARD_MAX_BYTES, the largest cap of any endpoint: the rest of the body is read past and not
stored, and the request remembers the refused file's name. Each endpoint then applies its own cap with
`size_problem()`, which also reports files the handler refused, so the person sees one clear message.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _

REFUSED_ATTR = "fuhua_refused_uploads"


def hard_cap() -> int:
    return getattr(settings, "FUHUA_UPLOAD_HARD_MAX_BYTES", 100 * 2**20)


class CappedUploadHandler(FileUploadHandler):
    """Passes data on to the next handlers until a file grows past the hard cap, then skips that file."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > hard_cap():
            if self.request is not None:
                refused = getattr(self.request, REFUSED_ATTR, {})
                refused[self.field_name] = self.file_name
                setattr(self.request, REFUSED_ATTR, refused)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) builds the uploaded file


def refused_upload(request, field: str = "file") -> str | None:
    """The name of the file in `field` that the handler refused for its size, if any."""
    return getattr(request, REFUSED_ATTR, {}).get(field)


def human_size(size: int) -> str:
    """1000 → "1000 B", 5000 → "4.9 KB", 20971520 → "20 MB"."""
    if size < 1024:
        return f"{size} B"
    if size < 2**20:
        return f"{size / 1024:,.1f}".removesuffix(".0") + " KB"
    return f"{size / 2**20:,.1f}".removesuffix(".0") + " MB"


def size_problem(request, upload, cap: int, field: str = "file") -> str | None:
    """A message if the uploaded file (or the one refused on the way in) is larger than `cap` bytes."""
    name = refused_upload(request, field)
    if name is not None:
        return _("%(name)s is larger than %(max)s and was not accepted; split it into smaller files.") % {
            "name": name, "max": human_size(min(cap, hard_cap()))}
    if upload is not None and upload.size > cap:
        return _("%(name)s is %(size)s, more than the %(max)s allowed here; split it into smaller files.") % {
            "name": upload.name, "size": human_size(upload.size), "max": human_size(cap)}
    return None
