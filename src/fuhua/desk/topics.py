"""The desk's topics and their time limits, read from `data/topics.yaml` (data, with sources), and the date
arithmetic of the deadlines: working days (Monday to Friday) or calendar days, as each topic says."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import get_language

FILE = Path(__file__).with_name("data") / "topics.yaml"
DAY_KINDS = ("working", "calendar")


class TopicError(ValueError):
    pass


@dataclass(frozen=True)
class Topic:
    code: str
    name: str  # Chinese
    name_en: str
    days: str  # "working" or "calendar"
    first_response_days: int
    resolution_days: int
    source: str

    @property
    def label(self) -> str:
        return self.name if (get_language() or "zh-hans").startswith("zh") else self.name_en

    def __str__(self) -> str:
        return self.label

    def first_response_due(self, opened: datetime.date) -> datetime.date:
        return add_days(opened, self.first_response_days, self.days)

    def resolution_due(self, opened: datetime.date) -> datetime.date:
        return add_days(opened, self.resolution_days, self.days)


@dataclass(frozen=True)
class Settings:
    reopen_days: int
    close_unrated_after_days: int
    topics: dict[str, Topic]


def add_days(start: datetime.date, n: int, kind: str) -> datetime.date:
    """`start` plus `n` days of `kind`: calendar days, or working days (Monday–Friday; a request opened
    on a Saturday counts from Monday)."""
    if kind == "calendar":
        return start + datetime.timedelta(days=n)
    day = start
    while n > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def parse(data: dict) -> Settings:
    """Check the file's content: every topic complete, day kinds known, limits positive, codes unique."""
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list) or not data["topics"]:
        raise TopicError("topics.yaml: a list `topics` is required")
    topics: dict[str, Topic] = {}
    for row in data["topics"]:
        missing = {"code", "name", "name_en", "days", "first_response_days", "resolution_days", "source"} - set(row)
        if missing:
            raise TopicError(f"topic {row.get('code', '?')}: missing {sorted(missing)}")
        if row["days"] not in DAY_KINDS:
            raise TopicError(f"topic {row['code']}: days must be one of {DAY_KINDS}, not {row['days']!r}")
        first, resolution = row["first_response_days"], row["resolution_days"]
        if not (isinstance(first, int) and isinstance(resolution, int) and 0 < first <= resolution):
            raise TopicError(f"topic {row['code']}: need 0 < first_response_days <= resolution_days")
        if row["code"] in topics:
            raise TopicError(f"topic {row['code']}: listed twice")
        topics[row["code"]] = Topic(**{k: row[k] for k in Topic.__dataclass_fields__})
    reopen, close = data.get("reopen_days"), data.get("close_unrated_after_days")
    if not (isinstance(reopen, int) and reopen > 0 and isinstance(close, int) and close >= reopen):
        raise TopicError("topics.yaml: reopen_days > 0 and close_unrated_after_days >= reopen_days are required")
    return Settings(reopen, close, topics)


@cache
def settings() -> Settings:
    return parse(yaml.safe_load(FILE.read_text(encoding="utf-8")))


def topics() -> dict[str, Topic]:
    return settings().topics


def get(code: str) -> Topic:
    try:
        return topics()[code]
    except KeyError:
        raise TopicError(f"unknown topic {code!r}") from None


def choices() -> list[tuple[str, str]]:
    """(code, Chinese name) for the model field: labels follow the language on the pages (`label`)."""
    return [(t.code, t.name) for t in topics().values()]


def label(code: str) -> str:
    topic = topics().get(code)
    return topic.label if topic else code
