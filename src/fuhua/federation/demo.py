"""Demo step: the demo instance gets its network identity (and signing key), as `fuhua network init` gives it.

The province demos are Jiangsu's instance (320000), the national demo the nation's (CN). A network of three
instances syncing for real is `fuhua network demo` (federation/network_demo.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .exchange import ensure_identity
from .figures import refresh
from .models import FigureGroup, Instance


def load_identity(run) -> None:
    run.begin(1)
    if not Instance.objects.exists():
        if run.scale == "national":
            ensure_identity(code="CN", name=_("the nation"), region_code=None)
        else:
            ensure_identity(code="320000", name="江苏省", region_code="320000")
    instance = Instance.objects.get()
    made = refresh(instance, FigureGroup.values)  # what it would share as totals: /network/figures/
    run.advance(1)
    run.note(f"one network: this instance is {instance}; {made.get('created', 0)} shared figures; "
             "`fuhua network demo` starts three")
