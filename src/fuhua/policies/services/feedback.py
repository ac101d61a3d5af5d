"""Post-evaluation (评价与反馈): after payment the beneficiary rates the policy's service; the bureau reads the
results per policy. One feedback per entitlement, only once it is paid."""

from __future__ import annotations

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _

from fuhua.core import services as core_services
from fuhua.core.exceptions import Conflict
from fuhua.core.scoping import check
from fuhua.core.system import as_db_user

from ..models import Entitlement, Feedback
from ..models.entitlement import EntitlementStatus as S
from .runs import require

FIELDS = ("rating", "paid_on_time", "no_paperwork", "comment")


def may_give_feedback(user, entitlement: Entitlement) -> bool:
    return (entitlement.status == S.PAID and not Feedback.objects.filter(entitlement=entitlement).exists()
            and bool(check(user, "change", entitlement)) and bool(check(user, "add", Feedback)))


def give_feedback(user, entitlement: Entitlement, data: dict) -> Feedback:
    require(user, "change", entitlement)  # the beneficiary (the firm, or the carrier's operator)
    if entitlement.status != S.PAID:
        raise Conflict(_("Feedback is asked for after payment; this entitlement is not paid."))
    if Feedback.objects.filter(entitlement=entitlement).exists():
        raise Conflict(_("Feedback on this entitlement has already been given."))
    values = {k: data[k] for k in FIELDS if k in data and data[k] is not None}
    return core_services.create_object(user, Feedback, {**values, "entitlement": entitlement,
                                                        "submitted_by": as_db_user(user)})


def feedback_summary(queryset) -> dict:
    """Per policy: answers, mean rating, share paid on time, share without paperwork (of `queryset`, the
    reader's feedback rows)."""
    rows = (queryset.order_by().values("entitlement__policy__code", "entitlement__policy__title")
            .annotate(n=Count("pk"), mean=Avg("rating"), on_time=Count("pk", filter=Q(paid_on_time=True)),
                      easy=Count("pk", filter=Q(no_paperwork=True))))
    return {r["entitlement__policy__code"]: {
        "policy": r["entitlement__policy__code"], "title": r["entitlement__policy__title"], "answers": r["n"],
        "mean_rating": round(r["mean"] or 0, 2), "paid_on_time_share": round(r["on_time"] / r["n"], 3) if r["n"] else 0,
        "no_paperwork_share": round(r["easy"] / r["n"], 3) if r["n"] else 0} for r in rows}
