"""The read replica: reports and dashboards may read from a streaming replica of the primary.

When DATABASE_REPLICA_URL is set, settings add a `replica` database alias and install this router. Code opts in
explicitly, never by guessing: a block of reads that may be a little behind the primary (the steering report's
data, the dashboards' aggregates) runs inside ``replica_reads()``::

    from fuhua.core.db_router import replica_reads

    with replica_reads():
        data = collect(user, region, year)      # every read in the block: the replica
    ReportSnapshot.objects.create(data=data)    # every write, always: the primary

or names the alias itself (``Model.objects.using(REPLICA)``, when a replica is configured: see ``replica_alias``).

Everything else reads from the primary, and so does a read that locks (``select_for_update``: Django routes it as a
write). Writes never go to the replica: the router answers the primary for every write, whatever the block or
the alias an object was read from, and migrations run on the primary only. Without DATABASE_REPLICA_URL the
block is a no-op and all goes to the primary. A page that shows what its user has just written must not opt in:
the replica may lag the primary by a moment.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

PRIMARY = "default"
REPLICA = "replica"

_reading_from_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("fuhua_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_alias() -> str:
    """The alias for reads that may lag: the replica when one is configured, else the primary."""
    return REPLICA if replica_configured() else PRIMARY


@contextmanager
def replica_reads() -> Iterator[str]:
    """Send the reads of this block (this thread or task only) to the replica, if one is configured."""
    token = _reading_from_replica.set(True)
    try:
        yield replica_alias()
    finally:
        _reading_from_replica.reset(token)


def reading_from_replica() -> bool:
    return _reading_from_replica.get() and replica_configured()


class PrimaryReplicaRouter:
    """Reads in a `replica_reads()` block → the replica; every other read, every write, every migration → primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if reading_from_replica() else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: an object read from either may refer to one read from the other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
