"""The system actor: the platform itself taking a step that no person asked for in a request.

Services take the acting user as their first argument and check it; `None` is never accepted as "no
check". When the platform acts on its own, callers pass `SYSTEM` explicitly: for scheduled tasks (the
nightly 免申即享 runs, deadline reminders, expiry of overdue tenancies), for loading the demo data, and for
a maintenance command run on the server without `--user`. It passes every permission check (its scope is
the whole platform), is never a database user (foreign keys to a user get NULL), never signs in, and its
changes are audited as "system".
"""

from __future__ import annotations


class SystemActor:
    pk = None
    id = None
    username = "system"
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = True  # the whole platform is in its scope
    is_staff = False

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def system_user() -> SystemActor:
    return SYSTEM


def is_system(user) -> bool:
    return user is SYSTEM


def as_db_user(user):
    """The value for a foreign key to the acting user: NULL for the system."""
    return None if is_system(user) else user
