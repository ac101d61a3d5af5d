"""The 双创指数 (catalogue/index.yaml): a weighted composite of six dimensions, each a metric scaled across the
compared regions. A pure function of by-region figures, so a report snapshot reproduces it exactly."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .metrics import catalogue
from .yamlfile import DataFileError, load, where

METHOD = Path(__file__).resolve().parent / "catalogue" / "index.yaml"
NORMALISATIONS = {"minmax", "share_of_max"}


def parse_method(path: Path) -> dict:
    data = load(path)
    if data.get("normalisation") not in NORMALISATIONS:
        raise DataFileError(f"{where(path, data, 'normalisation')}: normalisation is one of "
                            f"{', '.join(sorted(NORMALISATIONS))}")
    total = 0.0
    for dim in data.get("dimensions") or []:
        if dim.get("metric") not in catalogue():
            raise DataFileError(f"{where(path, dim)}: unknown metric {dim.get('metric')!r}")
        total += float(dim.get("weight", 0))
    if abs(total - 1.0) > 1e-9:
        raise DataFileError(f"{where(path, data, 'dimensions')}: the weights add up to {total:g}, not 1")
    return data


@lru_cache(maxsize=1)
def method() -> dict:
    return parse_method(METHOD)


def metrics() -> list[str]:
    return [d["metric"] for d in method()["dimensions"]]


def _scale(values: dict[str, float], how: str) -> dict[str, float]:
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if how == "share_of_max":
        return {k: (100.0 * v / high if high else 0.0) for k, v in values.items()}
    return {k: (100.0 * (v - low) / (high - low) if high > low else 100.0) for k, v in values.items()}


def compute(by_child: dict[str, dict[str, float]], regions: list[dict], spec: dict | None = None) -> list[dict]:
    """One row per region (name, code, each dimension's scaled value, the index, its rank), best first.
    `by_child`: metric → region code → value; a region without a figure scores 0 on that dimension."""
    spec = spec or method()
    codes = [r["code"] for r in regions]
    scaled = {}
    for dim in spec["dimensions"]:
        raw = {c: float(by_child.get(dim["metric"], {}).get(c) or 0.0) for c in codes}
        scaled[dim["key"]] = _scale(raw, spec["normalisation"])
    rows = []
    for r in regions:
        dims = {d["key"]: round(scaled[d["key"]].get(r["code"], 0.0), 1) for d in spec["dimensions"]}
        total = sum(float(d["weight"]) * scaled[d["key"]].get(r["code"], 0.0) for d in spec["dimensions"])
        rows.append({"code": r["code"], "name": r["name"], "dimensions": dims, "index": round(total, 1)})
    rows.sort(key=lambda row: (-row["index"], row["code"]))
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows
