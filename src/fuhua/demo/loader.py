"""load_demo: run the demo steps the apps registered (core.demo), in order, in one transaction, for a day.

The day (`today`, default the local date) is where the demo's histories end: statistics up to the last
complete year and the current year in progress, deadlines and time limits around it.
"""

from __future__ import annotations

import datetime
import time
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from fuhua.core.demo import DemoRun, demo_steps
from fuhua.core.text import pad_display
from fuhua.incubation.models import Incubation
from fuhua.registry import models as registry

from .display import Display, PlainDisplay

SUMMARY_MODELS = [
    registry.Region, registry.Organisation, registry.Carrier, registry.Recognition, registry.AssociationMembership,
    registry.Firm, registry.FirmDesignation, registry.StartupTeam, Incubation, registry.MentorProfile,
    registry.InvestorProfile, registry.Investment, registry.FirmYearFigures, registry.IntellectualProperty,
    registry.SeedFund, registry.CarrierStaffing,
]
SQLITE_LOAD_PRAGMAS = {"journal_mode": "MEMORY", "synchronous": "OFF", "cache_size": -131072}  # 128 MiB


def counts() -> list[tuple[str, int]]:
    return [(str(m._meta.verbose_name_plural), m.objects.count()) for m in SUMMARY_MODELS]


def _table(rows: list[tuple[str, int]]) -> str:
    return "\n".join(f"  {pad_display(label, 24)} {n:>10,}" for label, n in rows)


@contextmanager
def _fast_sqlite():
    """On SQLite, the rollback journal in memory, no syncs and a larger page cache while the demo loads; the
    settings' pragmas are restored after. The load is one transaction on a database the demo has just created:
    a crash leaves a database to delete (`fuhua demo --reset`), and a failing step still rolls back. Inside
    an open transaction (tests) the journal mode cannot change, so nothing is touched."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        saved = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in SQLITE_LOAD_PRAGMAS}
        for name, value in SQLITE_LOAD_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in saved.items():
                cursor.execute(f"PRAGMA {name}={value}")


def load_demo(scale: str = "province", today: datetime.date | None = None, display: Display | None = None) -> str:
    """Fill an empty database with demo data of `scale` as of `today`; with carriers present, load nothing.

    Returns a printable summary: the time and CPU time per step, and the counts per model.
    """
    if registry.Carrier.objects.exists():
        return "The database already holds carriers, so no demo data was loaded. It contains:\n" + _table(counts())
    display = display or PlainDisplay(lambda _: None)
    run = DemoRun(scale=scale, today=today or timezone.localdate(), on_note=display.note)
    started, cpu = time.perf_counter(), time.process_time()
    timings = []
    with _fast_sqlite(), transaction.atomic():
        for step in demo_steps():
            t0, c0 = time.perf_counter(), time.process_time()
            with display.step(str(step.label)) as bar:
                run.on_begin, run.on_advance = bar.begin, bar.advance
                step.run(run)
            timings.append((str(step.label), time.perf_counter() - t0, time.process_time() - c0))
    times = "\n".join(f"  {pad_display(label, 24)} {wall:>6.1f} s  (CPU {used:.1f} s)" for label, wall, used in timings)
    return (
        f"Demo data ({scale}, as of {run.today.isoformat()}) loaded in {time.perf_counter() - started:.1f} s "
        f"(CPU {time.process_time() - cpu:.1f} s):\n{times}\n"
        f"It was written by the system in bulk, so these rows have no per-object audit history:\n" + _table(counts())
    )
