"""Normalisation: an indicator's raw value → a fraction of its weight in [0, 1].

Absolute methods (`linear`, `bands`) look at the value alone; relative ones (`minmax`, `percentile`,
`median_ratio`) at the carrier's cohort (same category, same run). Missing values (NaN) score 0.
`needed()` inverts any of them by bisection on the forward function, which is monotone in the value,
so "what would raise the grade" uses exactly the arithmetic that scored the carrier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("linear", "bands", "minmax", "percentile", "median_ratio")


@dataclass(frozen=True)
class Normalisation:
    method: str
    floor: float = 0.0
    target: float = 0.0
    bands: tuple[tuple[float, float], ...] = ()  # (minimum value, fraction), ascending
    at: float = 2.0  # median_ratio: full marks at `at` × the cohort median

    @property
    def relative(self) -> bool:
        return self.method in ("minmax", "percentile", "median_ratio")

    @classmethod
    def parse(cls, raw: dict) -> Normalisation:
        method = raw.get("method")
        if method not in METHODS:
            raise ValueError(f"normalisation method {method!r} is not one of {', '.join(METHODS)}")
        if method == "linear":
            try:
                floor, target = float(raw["floor"]), float(raw["target"])
            except (KeyError, TypeError, ValueError):
                raise ValueError("linear normalisation needs numeric 'floor' and 'target'") from None
            if floor >= target:
                raise ValueError(f"linear normalisation needs floor < target, got floor {floor:g} ≥ target {target:g}")
            return cls(method, floor=floor, target=target)
        if method == "bands":
            bands = []
            for band in raw.get("bands") or []:
                try:
                    bands.append((float(band["min"]), float(band["score"]) / 100))
                except (KeyError, TypeError, ValueError):
                    raise ValueError("each band needs a numeric 'min' and 'score' (percent)") from None
            if not bands:
                raise ValueError("bands normalisation needs a list of {min, score}")
            mins, scores = [b[0] for b in bands], [b[1] for b in bands]
            if mins != sorted(set(mins)) or scores != sorted(scores) or not all(0 <= s <= 1 for s in scores):
                raise ValueError("bands must have rising minimums and non-decreasing scores between 0 and 100")
            return cls(method, bands=tuple(bands))
        if method == "median_ratio":
            at = float(raw.get("at", 2.0))
            if at <= 0:
                raise ValueError("median_ratio needs at > 0")
            return cls(method, at=at)
        return cls(method)

    def describe(self) -> str:
        if self.method == "linear":
            return f"linear {self.floor:g} → {self.target:g}"
        if self.method == "bands":
            return "bands " + ", ".join(f"≥{m:g}: {s * 100:g}%" for m, s in self.bands)
        if self.method == "median_ratio":
            return f"value / ({self.at:g} × cohort median)"
        return {"minmax": "min–max within the cohort", "percentile": "percentile rank within the cohort"}[self.method]

    def fraction(self, values: np.ndarray, cohort: np.ndarray) -> np.ndarray:
        """Fractions for `values`, relative to `cohort` (the finite values of the carrier's cohort)."""
        x = np.asarray(values, np.float64)
        cohort = np.asarray(cohort, np.float64)
        cohort = cohort[np.isfinite(cohort)]
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.method == "linear":
                out = (x - self.floor) / (self.target - self.floor)
            elif self.method == "bands":
                out = np.zeros(x.shape)
                for minimum, score in self.bands:
                    out = np.where(x >= minimum, score, out)
            elif not len(cohort):
                out = np.ones(x.shape)
            elif self.method == "minmax":
                low, high = cohort.min(), cohort.max()
                out = np.ones(x.shape) if high == low else (x - low) / (high - low)
            elif self.method == "percentile":
                ordered = np.sort(cohort)
                below = np.searchsorted(ordered, x, "left")
                equal = np.searchsorted(ordered, x, "right") - below
                n = len(ordered)
                # average rank among the cohort (ties share), 0 = lowest, 1 = highest
                out = np.ones(x.shape) if n == 1 else (below + np.maximum(equal - 1, 0) / 2) / (n - 1)
            else:  # median_ratio
                median = float(np.median(cohort))
                out = (x > 0).astype(np.float64) if median <= 0 else x / (self.at * median)
        out = np.clip(out, 0.0, 1.0)
        return np.where(np.isfinite(x), out, 0.0)

    def needed(self, permille: int, value: float, cohort: np.ndarray, own: int | None) -> float | None:
        """The smallest value ≥ `value` that scores at least `permille` (cohort members fixed, the carrier's
        own entry `own` moving with it); None when no value reaches it."""
        cohort = np.array(cohort, np.float64)

        def score(x: float) -> int:
            if own is not None:
                cohort[own] = x
            return int(np.floor(self.fraction(np.array([x]), cohort)[0] * 1000 + 0.5))

        low = value if np.isfinite(value) else 0.0
        if score(low) >= permille:
            return low
        high = max(abs(low), 1.0)
        for _ in range(200):
            high *= 2
            if score(high) >= permille:
                break
        else:
            return None
        for _ in range(100):
            middle = (low + high) / 2
            if middle in (low, high):
                break
            if score(middle) >= permille:
                high = middle
            else:
                low = middle
        return high
