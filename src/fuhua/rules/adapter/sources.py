"""Where each entity attribute comes from: the documentation of the adapter, also shown in explanations.

The apps that provide attributes say where each comes from when they register (attributes.SOURCES);
what no app provides is listed here with the reason.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .attributes import SOURCES

# Not collected as data: a reviewer's judgement, or a fact the annual report form does not ask. The
# engine uses the attribute's declared default (0 / false / missing) and explanations say so.
UNAVAILABLE: dict[str, str] = {
    "carrier.has_clear_model": _("reviewer's judgement (evaluation, issue #5)"),
    "carrier.dedicated_operator": _("reviewer's judgement (evaluation, issue #5)"),
    "incubation.registered_on_site": _("not asked by the annual report form"),
}


def source_of(kind: str, attribute: str) -> tuple[bool, str]:
    """(available, where from) of `kind.attribute`."""
    key = f"{kind}.{attribute}"
    if key in UNAVAILABLE:
        return False, str(UNAVAILABLE[key])
    return True, SOURCES.get(key, "")
