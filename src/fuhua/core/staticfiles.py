"""Static files storage: whitenoise's compressed storage, compressing only what changed.

whitenoise writes the gzip and Brotli copies of every collected file on every `collectstatic`, changed or not
(~14 MB of assets, ~21 s of CPU on a 2-core machine), and `fuhua serve` collects on each start: a restart then
spent its first 13 s recompressing the same files. A file whose compressed copies carry the collected file's time
(whitenoise gives them that time; collectstatic copies a file again only when its source is newer, and the copy
is then newer than them) keeps them."""

from __future__ import annotations

import os
from typing import Any

from whitenoise.storage import CompressedStaticFilesStorage


class IncrementalCompressedStaticFilesStorage(CompressedStaticFilesStorage):
    def post_process(self, paths: dict[str, Any], dry_run: bool = False, **options: Any):
        changed = {path: value for path, value in paths.items() if not self._compressed_is_current(path)}
        yield from super().post_process(changed, dry_run=dry_run, **options)

    def _compressed_is_current(self, path: str) -> bool:
        full = self.path(path)
        try:
            collected = os.stat(full).st_mtime_ns
        except FileNotFoundError:
            return False
        # whitenoise gives its copies the collected file's time (as float seconds: to within a microsecond). A file
        # with no copy (compressing it saved nothing) is tried again: such files are small.
        copies = [os.stat(full + suffix).st_mtime_ns for suffix in (".gz", ".br") if os.path.exists(full + suffix)]
        return bool(copies) and min(copies) >= collected - 1_000
