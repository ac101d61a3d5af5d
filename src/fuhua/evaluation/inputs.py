"""A run's inputs: one row per carrier, columnar (statistics figures with presence masks, registry
attributes), serialised to a compressed snapshot with a SHA-256 checksum.

Why a snapshot file rather than RunInput rows: a national run is 16,000 carriers × ~30 fields, i.e.
about half a million rows that nobody edits or queries one by one. A compressed .npz of the columns is
a few hundred kB, written and read in milliseconds, and the checksum proves that a re-run used exactly
the numbers the published grades were computed from. It is stored in the database (RunSnapshot), so it
is backed up and deleted with its run.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from dataclasses import dataclass, field

import numpy as np


@dataclass
class InputTable:
    carrier_ids: np.ndarray  # int64, ascending
    columns: dict[str, np.ndarray]  # statistics fields: int64 (stored units); registry attributes: their types
    present: dict[str, np.ndarray] = field(default_factory=dict)  # statistics field → reported?

    def __len__(self) -> int:
        return len(self.carrier_ids)

    def row_of(self, carrier_id: int) -> int:
        row = int(np.searchsorted(self.carrier_ids, carrier_id))
        if row >= len(self.carrier_ids) or self.carrier_ids[row] != carrier_id:
            raise KeyError(carrier_id)
        return row

    def with_corrections(self, corrections: dict[int, dict[str, int]]) -> InputTable:
        """A copy with some statistics figures replaced (upheld appeals), marked present."""
        columns = {k: v.copy() for k, v in self.columns.items()}
        present = {k: v.copy() for k, v in self.present.items()}
        for carrier_id, values in corrections.items():
            row = self.row_of(carrier_id)
            for code, value in values.items():
                columns[code][row] = value
                present[code][row] = True
        return InputTable(self.carrier_ids, columns, present)

    # --- snapshot -----------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        arrays = {"ids": self.carrier_ids}
        for name, column in self.columns.items():
            if column.dtype == object:  # strings: None → "" (numpy stores unicode without pickling)
                column = np.array(["" if v is None else str(v) for v in column], dtype=str)
            arrays[f"col:{name}"] = column
        arrays.update({f"present:{name}": mask for name, mask in self.present.items()})
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> InputTable:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            columns, present = {}, {}
            for key in archive.files:
                kind, _, name = key.partition(":")
                value = archive[key]
                if kind == "col":
                    if value.dtype.kind == "U":
                        value = np.array([v or None for v in value.tolist()], dtype=object)
                    columns[name] = value
                elif kind == "present":
                    present[name] = value
            return cls(archive["ids"], columns, present)


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- gathering from the database -----------------------------------------------------------------

# Attributes that are plain columns of the carrier (as rules/adapter/sources.py documents them): read with
# one query instead of the adapter, which also loads every tenant and firm (3 s for 600 carriers).
OWN_FIELDS = {"kind": "kind", "specialised": "specialisation"}


def _own_fields(ids: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
    from fuhua.registry.choices import Specialisation
    from fuhua.registry.models import Carrier

    if not names:
        return {}
    carriers = Carrier.objects.all()
    if len(ids) and int(ids.max()) - int(ids.min()) < 4 * len(ids):
        # A dense population (a province's carriers): one range read, not an IN list of 16,000 parameters
        # (Django prepares each); the carriers in the range that are not in it are left out below.
        carriers = carriers.filter(pk__range=(int(ids.min()), int(ids.max())))
    else:
        carriers = carriers.filter(pk__in=ids.tolist())
    rows = {pk: (kind, spec) for pk, kind, spec in carriers.values_list("pk", "kind", "specialisation")}
    out = {}
    if "kind" in names:
        out["kind"] = np.array([rows.get(int(i), (None, None))[0] for i in ids], dtype=object)
    if "specialised" in names:
        out["specialised"] = np.array([rows.get(int(i), (None, None))[1] == Specialisation.SPECIALISED
                                       for i in ids], bool)
    return out


def gather(scheme, carrier_ids: list[int], period: int) -> InputTable:
    """The scheme's inputs for these carriers: the period's accepted annual statistics
    (`statistics.services.figures`) and registry attributes through the rules adapter."""
    from fuhua.registry.models import Carrier
    from fuhua.rules.adapter import load_population
    from fuhua.statistics.services import figures

    ids = np.array(sorted(carrier_ids), dtype=np.int64)
    codes = scheme.stats_codes()
    data = figures(ids.tolist(), period, codes, accepted_only=True)
    columns = {code: np.asarray(data.values[code], np.int64) for code in codes}
    present = {code: np.asarray(data.present[code], bool) for code in codes}
    wanted = [a for a in scheme.registry_attributes() if a not in columns]
    columns.update(_own_fields(ids, [a for a in wanted if a in OWN_FIELDS]))
    wanted = [a for a in wanted if a not in OWN_FIELDS]
    as_of = scheme.as_of(period) + datetime.timedelta(days=1)  # the adapter's "last year" = the period
    if wanted:
        loaded = load_population(as_of, carriers=Carrier.objects.filter(pk__in=ids.tolist()))
        table = loaded.population["carrier"]
        rows = table.rows_of(ids)
        vocabulary = loaded.population.vocabulary
        for name in wanted:
            column = table.columns[name][rows]
            if scheme.pack.schema["carrier"].attributes[name].type == "str":
                column = vocabulary.decode(column)
            columns[name] = column
    return InputTable(ids, columns, present)
