"""PackRegistry: every pack version in a directory, chosen by id and as-of date.

Reloading never installs a broken pack: a file that fails to load (or whose
dates overlap another version of the same pack id) keeps serving its last
good version, and the failure is reported in ``registry.errors``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..entities import Schema
from .errors import PackError, RulesError
from .loader import load_pack_file
from .pack import Pack

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "packs"


def _overlap(a: Pack, b: Pack) -> bool:
    far = np.datetime64("9999-12-31")
    return a.effective_from <= (b.effective_to or far) and b.effective_from <= (a.effective_to or far)


class PackRegistry:
    def __init__(self, directory: Path | str | None = None, schema: Schema | None = None):
        self.directory = Path(directory) if directory else DEFAULT_DIR
        self.schema = schema
        self.errors: list[PackError] = []
        self._good: dict[str, Pack] = {}  # file -> last good pack loaded from it

    def reload(self) -> list[PackError]:
        """(Re)load every ``*.yaml`` in the directory; return the errors of this load."""
        errors: list[PackError] = []
        candidates: dict[str, Pack] = {}
        for path in sorted(self.directory.glob("*.yaml")):
            try:
                candidates[str(path)] = load_pack_file(path, self.schema)
            except PackError as exc:
                errors.append(exc)
                if str(path) in self._good:
                    candidates[str(path)] = self._good[str(path)]  # keep serving the last good version
        for file, pack in list(candidates.items()):
            for other_file, other in candidates.items():
                if other_file < file and other.id == pack.id and _overlap(pack, other):
                    errors.append(PackError(file, 1, f"pack {pack.id}: dates {pack.effective_from}.."
                                                     f"{pack.effective_to or ''} overlap version in {other_file}"))
                    previous = self._good.get(file)
                    if previous is not None and previous is not pack and not _overlap(previous, other):
                        candidates[file] = previous
                    else:
                        del candidates[file]
                    break
        self._good = candidates
        self.errors = errors
        return errors

    def packs(self) -> list[Pack]:
        return sorted(self._good.values(), key=lambda p: (p.id, p.effective_from))

    def ids(self) -> list[str]:
        return sorted({p.id for p in self._good.values()})

    def versions(self, pack_id: str) -> list[Pack]:
        return [p for p in self.packs() if p.id == pack_id]

    def get(self, pack_id: str, as_of) -> Pack:
        """The version of ``pack_id`` in force on ``as_of``."""
        as_of = np.datetime64(as_of, "D")
        versions = self.versions(pack_id)
        if not versions:
            raise RulesError(f"unknown pack {pack_id!r}; known: {', '.join(self.ids())}")
        for pack in versions:
            if pack.in_force(as_of):
                return pack
        spans = ", ".join(f"{p.effective_from}..{p.effective_to or ''}" for p in versions)
        raise RulesError(f"pack {pack_id} has no version in force on {as_of} (versions: {spans})")


def load_registry(path: Path | str | None = None, schema: Schema | None = None) -> PackRegistry:
    """Load the packs in ``path`` (default: the bundled national packs)."""
    registry = PackRegistry(path, schema)
    registry.reload()
    return registry
