"""A carrier's operating status: operating ⇄ suspended → closed, decided by the bureau with a reason.

The status is not a form field: the carrier page's buttons and the API's transitions take these steps,
each audited with its reason.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role, roles_of
from fuhua.core.workflow import ALLOWED, Decision, Transition, Workflow, forbidden

from .choices import CarrierStatus as S


def _bureau(user, carrier, **kwargs) -> Decision:
    if getattr(user, "is_superuser", False) or roles_of(user) & {Role.BUREAU, Role.ADMIN}:
        return ALLOWED
    return forbidden(_("Only bureau staff change a carrier's operating status."))


CARRIER_WORKFLOW = Workflow("status", model="registry.Carrier", transitions=[
    Transition("suspend", gettext_lazy("suspend"), frozenset({S.OPERATING}), S.SUSPENDED, needs_reason=True,
               guards=(_bureau,)),
    Transition("resume", gettext_lazy("resume operation"), frozenset({S.SUSPENDED}), S.OPERATING,
               needs_reason=True, guards=(_bureau,)),
    Transition("close", gettext_lazy("close"), frozenset({S.OPERATING, S.SUSPENDED}), S.CLOSED, needs_reason=True,
               guards=(_bureau,)),
])
