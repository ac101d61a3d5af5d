"""Firm designations with plausible dates: 科技型中小企业 common, 高新技术企业 ~10–15%, the rest rarer."""

from __future__ import annotations

import datetime

from .calibration import as_of, last_year
from .context import Context, Row, add_years, between, days

# Chance per firm by how its incubation turned out: (still incubating, graduated, left otherwise).
CHANCE = {
    "tech_sme": (0.45, 0.6, 0.2),
    "high_tech": (0.08, 0.35, 0.03),
    "srdi": (0.02, 0.08, 0.005),
    "gazelle": (0.015, 0.05, 0.0),
    "unicorn": (0.0, 0.0008, 0.0),
}
_OUTCOME = {"current": 0, "graduated": 1, "left": 2}


def _year(r, earliest: int, latest: int | None = None) -> int | None:
    latest = last_year() if latest is None else latest
    return r.randint(earliest, latest) if earliest <= latest else None


def designations(ctx: Context, firm: Row, outcome: str, left: datetime.date | None) -> list[Row]:
    r, i = ctx.rng, _OUTCOME[outcome]
    out = []

    def add(kind, granted, expires, certificate=""):
        out.append(Row(firm=firm, kind=kind, granted_on=granted, expires_on=expires,
                                   certificate_number=certificate))

    founded = firm.founded
    if r.random() < CHANCE["tech_sme"][i] and (y := _year(r, max(founded.year + 1, 2017))):
        # 科技型中小企业 is registered each year and holds for that year.
        add("tech_sme", datetime.date(y, r.randint(3, 9), r.randint(1, 28)), datetime.date(y, 12, 31),
            ctx.codes.certificate(f"{y}{firm.region_id}A"))
    if r.random() < CHANCE["high_tech"][i]:
        earliest = founded + days(365)
        latest = left if outcome == "graduated" and left and left > earliest else as_of()
        if earliest < latest:
            granted = between(r, earliest, latest)
            add("high_tech", granted, add_years(granted, 3) - days(1),
                ctx.codes.certificate(f"GR{granted.year}{firm.region_id[:2]}"))
    if r.random() < CHANCE["srdi"][i] and (y := _year(r, max(founded.year + 2, 2019))):
        granted = datetime.date(y, r.randint(5, 11), r.randint(1, 28))
        add("srdi", granted, add_years(granted, 3) - days(1))
        if r.random() < 0.15 and (y2 := _year(r, y + 1)):
            little = datetime.date(y2, 7, r.randint(1, 28))  # 小巨人 batches are announced mid-year
            add("little_giant", little, add_years(little, 3) - days(1))
    if r.random() < CHANCE["gazelle"][i] and (y := _year(r, max(founded.year + 2, 2018))):
        add("gazelle", datetime.date(y, r.randint(6, 12), r.randint(1, 28)), datetime.date(y + 1, 12, 31))
    if r.random() < CHANCE["unicorn"][i] and (y := _year(r, max(founded.year + 3, 2019))):
        add("unicorn", datetime.date(y, r.randint(3, 10), r.randint(1, 28)), datetime.date(y, 12, 31))
    return out
