"""Score sheets as data (score_sheets.toml): criteria, weights and ranges, read once and checked."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

FILE = Path(__file__).with_name("score_sheets.toml")


@dataclass(frozen=True)
class Criterion:
    code: str
    label_zh: str
    label_en: str
    weight: int
    min: int
    max: int

    @property
    def label(self) -> str:
        return self.label_zh if (get_language() or "zh").lower().startswith("zh") else self.label_en


@cache
def sheets() -> dict[str, dict]:
    data = tomllib.loads(FILE.read_text(encoding="utf-8"))
    for key, sheet in data.items():
        total = sum(c["weight"] for c in sheet["criteria"])
        if total != 100:
            raise ValueError(f"score sheet {key}: the weights add up to {total}, not 100")
        for c in sheet["criteria"]:
            if not c["min"] < c["max"]:
                raise ValueError(f"score sheet {key}: {c['code']} has an empty range")
    return data


def choices() -> list[tuple[str, str]]:
    return [(key, sheet["label_zh"]) for key, sheet in sheets().items()]


def criteria_of(snapshot: list[dict]) -> list[Criterion]:
    """The criteria a round copied from its sheet (Round.criteria)."""
    return [Criterion(**c) for c in snapshot]


def snapshot(key: str) -> list[dict]:
    return [dict(c) for c in sheets()[key]["criteria"]]
