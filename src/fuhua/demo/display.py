"""How the demo shows its progress: a bar per step in a terminal (rich), plain lines elsewhere."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from fuhua.core.text import pad_display


@dataclass
class Bar:
    begin: Callable[[int], object] = lambda total: None
    advance: Callable[[int], object] = lambda n=1: None


class Display:
    def step(self, label: str) -> contextlib.AbstractContextManager[Bar]:
        raise NotImplementedError

    def note(self, text: str) -> None:
        raise NotImplementedError


@dataclass
class PlainDisplay(Display):
    """Notes as lines (tests pass a no-op)."""

    echo: Callable[[str], object] = print

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[Bar]:
        yield Bar()

    def note(self, text: str) -> None:
        self.echo(f"  {text}")


@dataclass
class RichDisplay(Display):
    """One progress bar per step (units of work the step announced, elapsed time), notes printed above."""

    progress: object = field(default=None)

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[Bar]:
        progress = self.progress
        task = progress.add_task(pad_display(label, 24), total=None)
        bar = Bar(begin=lambda total: progress.update(task, total=max(total, 1), completed=0),
                  advance=lambda n=1: progress.advance(task, n))
        yield bar
        total = progress.tasks[task].total or 1
        progress.update(task, total=total, completed=total)

    def note(self, text: str) -> None:
        self.progress.console.print(f"  {text}")


@contextlib.contextmanager
def rich_display() -> Iterator[RichDisplay]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns) as progress:
        yield RichDisplay(progress)
