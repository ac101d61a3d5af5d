"""The shipped administrative divisions (data/regions.csv), read without the database.

The generator plans carriers from this file, so plans can be built and tested without a database;
Region rows themselves come from migration registry.0002_regions, whose primary key is the code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "regions.csv"
JIANGSU = "320000"
SUZHOU, NANJING = "320500", "320100"
SIP = "320571"  # 苏州工业园区, a functional zone

_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent: str
    is_hardship: bool

    @property
    def short(self) -> str:
        """The name as used inside other names: 江苏省 → 江苏, 苏州市 → 苏州, 吴中区 → 吴中, 丰县 stays."""
        if self.level == "province":
            return next((self.name.removesuffix(s) for s in _PROVINCE_SUFFIXES if self.name.endswith(s)), self.name)
        if self.code == SIP or len(self.name) <= 2:
            return self.name
        return self.name[:-1] if self.name[-1] in "市区县" else self.name


@lru_cache(maxsize=1)
def rows() -> dict[str, RegionRow]:
    with CSV_PATH.open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    return {
        r["code"]: RegionRow(r["code"], r["name"], r["level"], r["parent"], r["is_hardship"] == "true")
        for r in csv.DictReader(lines)
    }


def children(code: str) -> list[RegionRow]:
    return [r for r in rows().values() if r.parent == code]


def provinces() -> list[RegionRow]:
    return [r for r in rows().values() if r.level == "province"]
