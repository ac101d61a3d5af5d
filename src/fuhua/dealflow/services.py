"""Deal-flow services: post a financing need, introduce a deal, move it one stage (the firm's and the
institution's accounts are told in the app and by e-mail), close a need. The invested step writes the
firm's `registry.Investment` in the same transaction as the stage: if the record is refused, the deal stays
at term sheet and nothing is written. Writes go through core.services (scope, references, validation)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core import services as core
from fuhua.core.context import acting_for
from fuhua.registry.models import Investment

from .models import Deal, DealStatus, FinancingNeed
from .workflow import DEAL_WORKFLOW, NEED_WORKFLOW


def people_of(deal: Deal) -> list:
    """The accounts told about a deal: the firm's, and the institution's investor contacts'."""
    q = Q(role=Role.FIRM, firm_id=deal.firm_id) | Q(role=Role.INVESTOR, investor__institution_id=deal.institution_id)
    grants = RoleGrant.objects.filter(q, user__is_active=True).select_related("user")
    return list({g.user_id: g.user for g in grants}.values())


def notify(deal: Deal, subject: str) -> int:
    """Mail the people of the deal (the in-app notice is their inbox: dealflow.inbox). Returns mails sent."""
    recipients = [u.email for u in people_of(deal) if u.email]
    if not recipients:
        return 0
    body = _("%(subject)s\n\nFirm: %(firm)s\nInstitution: %(org)s\nStage: %(stage)s") % {
        "subject": subject, "firm": deal.firm, "org": deal.institution, "stage": deal.get_status_display()}
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)


def post_need(user, data: dict) -> FinancingNeed:
    return core.create_object(user, FinancingNeed, data)


@transaction.atomic
def introduce(user, data: dict) -> Deal:
    data = dict(data)
    need = data.get("need")
    if need is not None and not data.get("firm"):
        data["firm"] = need.firm
    deal = core.create_object(user, Deal, data)
    transaction.on_commit(lambda: notify(deal, _("New deal introduced")))
    return deal


@transaction.atomic
def move(user, deal: Deal, name: str, reason: str = "", **kwargs) -> Deal:
    """Take one step of the pipeline. `invest` needs amount_fen and round, and writes the Investment."""
    DEAL_WORKFLOW.apply(user, deal, name, reason=reason, **kwargs)
    if name == "invest":
        record_investment(user, deal)
    transaction.on_commit(lambda: notify(deal, _("Deal moved to %(stage)s") % {"stage": deal.get_status_display()}))
    return deal


def record_investment(user, deal: Deal) -> Investment:
    """The registry's financing event of an invested deal (called within the step's transaction: a refusal
    here undoes the step). Errors on the investment's date are reported on the step's date (`on`)."""
    investment = Investment(firm_id=deal.firm_id, date=deal.invested_on, amount_fen=deal.amount_fen,
                            round=deal.round, investor_id=deal.institution_id,
                            investor_name=deal.fund.name if deal.fund_id else deal.institution.name)
    try:
        investment.full_clean()
    except ValidationError as exc:
        raise ValidationError({"on" if k == "date" else k: v for k, v in exc.message_dict.items()}) from exc
    with acting_for(user):
        investment.save()
    deal.investment = investment
    with acting_for(user):
        deal.save(update_fields=["investment", "updated_at"])
    return investment


@transaction.atomic
def close_need(user, need: FinancingNeed, reason: str = "") -> FinancingNeed:
    return NEED_WORKFLOW.apply(user, need, "close", reason=reason)


def pipeline_counts(qs) -> dict[str, int]:
    counts = {s: 0 for s in DealStatus.values}
    for row in qs.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
