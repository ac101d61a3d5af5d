"""Applications: create under an open call, attach evidence, take workflow steps; the pay step turns
the noticed amount into a confirmed entitlement and pays it through the ledger (budget-locked)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fuhua.core import formatting as fmt
from fuhua.core import services as core_services
from fuhua.core.exceptions import Conflict
from fuhua.core.scoping import check
from fuhua.core.workflow import ALLOWED, Decision, conflict, forbidden, workflow_for

from .. import packs
from ..compute import compute
from ..models import Application, Attachment, Entitlement, Notification
from ..models.entitlement import EntitlementStatus as S
from ..workflow import ENTITLEMENT_WORKFLOW
from .ledger import pay


def award_amount(application: Application) -> int:
    """The pack's amount for this carrier, from the approved figures, as of the call's deadline."""
    result = compute(application.call.policy.code, application.call.closes_on, carrier_ids=[application.carrier_id])
    return sum(d.amount_fen for d in result.dues)


def _notify(application: Application, message: str) -> None:
    Notification.objects.create(organisation_id=application.carrier.operator_id, carrier=application.carrier,
                                application=application, message=message[:300])


def take_step(user, application: Application, name: str, *, reason: str = "", **data) -> Application:
    workflow = workflow_for(application)  # policies.application_workflow, above this module
    if name not in workflow.transitions:
        raise Conflict(_("Unknown step %(name)s.") % {"name": name})
    workflow.apply(user, application, name, reason=reason, actor=user, **data)
    _notify(application, _("Application %(app)s: %(status)s.") % {
        "app": application, "status": application.get_status_display()})
    return application


def pay_application(user, application: Application) -> None:
    policy = application.call.policy
    meta = packs.get(policy.code).meta
    item = next(iter(meta.items.values()))
    year = application.call.closes_on.year
    key = item.key.format(period=year, new_level="none")
    if not application.amount_fen:
        raise ValidationError({"status": _("Nothing to pay: the awarded amount is zero.")})
    explanation = _("Application %(pk)s, approved base %(amount)s yuan, noticed until %(day)s.") % {
        "pk": application.pk, "amount": fmt.yuan(application.approved_fen), "day": application.notice_ends_on}
    entitlement, _created = Entitlement.objects.get_or_create(  # created in the initial state: proposed
        policy=policy, carrier=application.carrier, key=key,
        defaults={"item": item.rule, "group": item.group, "period": year, "amount_fen": application.amount_fen,
                  "status": S.PROPOSED, "as_of": application.call.closes_on, "explanation": explanation})
    if entitlement.status == S.PROPOSED:  # the application's approval stands for the beneficiary's confirmation
        ENTITLEMENT_WORKFLOW.apply(user, entitlement, "award", reason=explanation)
    result = pay(user, policy.code, year, entitlement_ids=[entitlement.pk])
    if not result.paid:
        raise Conflict(_("Not paid: the %(year)s budget cannot cover %(amount)s yuan (the entitlement waits in the "
                         "queue).") % {"year": year, "amount": entitlement.amount_yuan})


def create_application(user, data: dict) -> Application:
    return core_services.create_object(user, Application, data)


ATTACHABLE = ("draft", "submitted")


def may_attach(user, application: Application) -> Decision:
    """Evidence can be added until the application is accepted, by users who may add attachments."""
    if application.status not in ATTACHABLE:
        return conflict(_("Attachments can be added until the application is accepted."))
    decision = check(user, "add", Attachment)
    return ALLOWED if decision else forbidden(decision.reason)


def add_attachment(user, application: Application, title: str, file) -> Attachment:
    may_attach(user, application).raise_if_refused()
    return core_services.create_object(user, Attachment, {"application": application, "title": title, "file": file})
