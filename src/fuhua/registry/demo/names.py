"""Plausible Chinese names built from parts (data/name_parts.json), with their search text.

pypinyin costs ~250 µs a name, too slow for 500,000 firms, so the search column is composed from the
pinyin of each part, computed once per part. Where a polyphonic character's reading depends on its
neighbour across a part boundary the result can differ from search_text(name); names stay findable.
"""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

from fuhua.core.search import pinyin

PARTS = json.loads((Path(__file__).resolve().parent.parent / "data" / "name_parts.json").read_text("utf-8"))
FIELD_LABELS: dict[str, str] = PARTS["field_labels"]

Name = tuple[str, ...]  # the parts of a name; "".join(parts) is the name


@cache
def _part_pinyin(part: str) -> tuple[str, str]:
    return pinyin(part)


def compose_search(parts: Name, *codes: str) -> str:
    """The same text as search_text("".join(parts), *codes) for ASCII codes, but cached per part."""
    full = "".join(_part_pinyin(p)[0] for p in parts)
    initials = "".join(_part_pinyin(p)[1] for p in parts)
    # search_text adds pinyin and initials for every word; an ASCII code has neither.
    return " ".join([full, "".join(parts), *codes, initials, *([""] * (2 * len(codes)))]).lower()


class NameMaker:
    """Draws names from one random stream; firm and carrier names are unique within a `group`."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.taken: set[str] = set()

    def new_group(self) -> None:
        # Firm names start with their city's or province's name, so uniqueness is per group.
        self.taken = set()

    def _unique(self, make) -> Name:
        for _ in range(50):
            parts = make()
            name = "".join(parts)
            if name not in self.taken:
                self.taken.add(name)
                return parts
        raise RuntimeError("name space exhausted; add name parts")

    def person(self) -> Name:
        r = self.rng
        given = r.choice(PARTS["given_chars"])
        if r.random() < 0.7:
            given += r.choice(PARTS["given_chars"])
        return (r.choice(PARTS["surnames"]), *given)

    def brand(self) -> Name:
        chars = PARTS["brand_chars"]
        return (self.rng.choice(chars), self.rng.choice(chars))

    def firm(self, place: str, field: str) -> Name:
        r = self.rng
        suffix = "股份有限公司" if r.random() < 0.04 else "有限公司"
        return self._unique(lambda: (place, *self.brand(), r.choice(PARTS["field_words"][field]), suffix))

    def team(self, field: str) -> Name:
        r = self.rng
        return (*self.brand(), r.choice(PARTS["team_topics"][field]), r.choice(PARTS["team_suffixes"]))

    def organisation(self, place: str, suffixes: str) -> Name:
        return self._unique(lambda: (place, *self.brand(), self.rng.choice(PARTS[suffixes])))

    def carrier(self, kind: str, place: str, field: str = "", university: str = "") -> Name:
        return self._unique(lambda: self._carrier(kind, place, field, university))

    def _carrier(self, kind: str, place: str, field: str, university: str) -> Name:
        r = self.rng
        brand = r.choice(PARTS["carrier_brands"]) if r.random() < 0.6 else "".join(self.brand())
        label = FIELD_LABELS.get(field, "")
        if kind == "incubator":
            if label and r.random() < 0.5:
                return (place, brand, label, r.choice(["产业孵化器", "孵化器", "科技企业孵化器"]))
            return (place, brand, r.choice(["科技企业孵化器", "科技企业孵化器", "科技创业中心", "创业园"]))
        if kind == "maker_space":
            if label and r.random() < 0.5:
                return (place, brand, label, "专业化众创空间")
            if r.random() < 0.25:
                return (brand, f"（{place}）", "众创空间")
            return (place, brand, "众创空间")
        if kind == "accelerator":
            return (place, brand, label, "产业加速器") if label else (place, brand, "科技企业加速器")
        if kind == "university_park":
            return (university, "国家大学科技园")
        if kind == "demo_base":
            zone = r.choice(["高新区", "经济开发区", "科技城", "新区", "高新技术产业开发区"])
            return (university, "双创示范基地") if university else (place, zone, "双创示范基地")
        tail = {"rural_star": "星创天地", "community": "众创社区", "enclave": "飞地孵化器", "offshore": "离岸创新中心",
                "returnee_park": "留学人员创业园"}[kind]
        return (place, brand, tail)
