"""Demo steps: each app contributes the demo data it owns; the demo orchestrator (fuhua.demo) runs them in order.

An app registers its step from its AppConfig.ready() (core imports no app):

    register_demo_step("statistics", _("Annual statistics"), order=40, run="fuhua.statistics.demo.load_statistics")

`run` is the step's function or its dotted path (imported when the demo runs, so that serving a page never
loads demo code).

A step receives a `DemoRun`: the scale, the day the demo is generated for (`today`: histories end there, so
deadlines and time limits fall around it), what earlier steps left for later ones (`shared`), and the
progress hooks (`begin(total)`, `advance(n)`, `note(text)`) the orchestrator draws a progress bar from.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string


@dataclass
class DemoRun:
    scale: str
    today: datetime.date
    shared: dict = field(default_factory=dict)  # what a step leaves for later ones, by key
    notes: list[str] = field(default_factory=list)  # one line per finding worth printing
    on_begin: Callable[[int], object] = lambda total: None
    on_advance: Callable[[int], object] = lambda n: None
    on_note: Callable[[str], object] = lambda text: None

    def begin(self, total: int) -> None:
        """The current step has `total` units of work (for its progress bar)."""
        self.on_begin(total)

    def advance(self, n: int = 1) -> None:
        self.on_advance(n)

    def note(self, text: str) -> None:
        self.notes.append(text)
        self.on_note(text)

    @property
    def last_year(self) -> int:
        """The last complete year: its statistics are in, its evaluation is under way."""
        return self.today.year - 1


@dataclass(frozen=True)
class DemoStep:
    key: str
    label: object  # a (lazy) translated string
    order: int
    target: Callable[[DemoRun], object] | str

    def run(self, run: DemoRun) -> object:
        target = import_string(self.target) if isinstance(self.target, str) else self.target
        return target(run)


_STEPS: dict[str, DemoStep] = {}


def register_demo_step(key: str, label, order: int, run: Callable[[DemoRun], object] | str) -> None:
    """Add (or replace, by key) a demo step; steps run by ascending `order`."""
    _STEPS[key] = DemoStep(key, label, order, run)


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.key))
