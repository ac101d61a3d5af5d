"""免申即享: compute a policy's entitlements for its whole population and keep them in step.

Idempotent: an entitlement is identified by (policy, carrier, key); an unchanged re-run creates,
changes and notifies nothing. Entitlements no longer due before payment are cancelled; paid ones whose
basis ended get a clawback proposal, as the pack's `clawback` section says: a carrier's revoked recognition,
or for firm, team, operator and person policies the pack's own variables (`clawback.when`). Then the
period's budget queue is recomputed by the pack's priority rule: what does not fit waits, in order.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from fuhua.core import formatting as fmt
from fuhua.core import glossary
from fuhua.core import services as core_services
from fuhua.core.context import acting_for
from fuhua.core.scoping import check
from fuhua.core.system import as_db_user

from .. import packs
from ..compute import compute
from ..firm_compute import compute_firms
from ..models import Budget, Confirmation, Entitlement, EntitlementRun, Notification, Payout
from ..models.entitlement import PAYABLE
from ..models.entitlement import EntitlementStatus as S
from ..workflow import ENTITLEMENT_WORKFLOW
from .sync import policy_row

FAR_FUTURE = datetime.date.max


def require(user, action: str, obj) -> None:
    """Refuse unless `user` may do `action` on `obj`. There is no "no user": the platform acting on its own
    (scheduled runs, demo loading) passes `fuhua.core.system.SYSTEM`; `None` is refused."""
    if user is None:
        raise PermissionDenied(_("No acting user: pass the user, or the system actor for scheduled tasks."))
    decision = check(user, action, obj)
    if not decision:
        raise PermissionDenied(decision.reason)


def _holder_ids(e) -> tuple[int, int, int, int, int]:
    return (e.carrier_id or 0, e.firm_id or 0, e.team_id or 0, e.operator_id or 0, e.person_id or 0)


def priority_key(rule: str):
    if rule == "carrier_id":
        return lambda e: (*_holder_ids(e), e.key)
    return lambda e: (e.priority_on or FAR_FUTURE, *_holder_ids(e), e.key)  # earliest_recognition_then_id


def notify(entitlement: Entitlement, message: str) -> None:
    """To the firm itself (firm entitlements; a person's: the founder's firm), to the operator itself (operator
    entitlements), else to the operator of the carrier (its own, or the host of the team or team founder)."""
    firm_id = entitlement.firm_id or (entitlement.person.firm_id if entitlement.person_id else None)
    if firm_id is not None:
        Notification.objects.create(firm_id=firm_id, policy_id=entitlement.policy_id,
                                    entitlement=entitlement, message=message[:300])
        return
    if entitlement.operator_id is not None:
        Notification.objects.create(organisation_id=entitlement.operator_id, policy_id=entitlement.policy_id,
                                    entitlement=entitlement, message=message[:300])
        return
    Notification.objects.create(organisation_id=entitlement.carrier.operator_id, carrier=entitlement.carrier,
                                entitlement=entitlement, message=message[:300])


def _holder(due) -> tuple:
    alone = due.firm_id is None and due.team_id is None and due.operator_id is None and due.person_id is None
    return (due.carrier_id if alone else None, due.firm_id, due.team_id, due.operator_id, due.person_id)


def _entitlement_holder(e: Entitlement) -> tuple:
    alone = e.firm_id is None and e.team_id is None and e.operator_id is None and e.person_id is None
    return (e.carrier_id if alone else None, e.firm_id, e.team_id, e.operator_id, e.person_id)


def net_paid(entitlement: Entitlement) -> int:
    return Payout.objects.filter(entitlement=entitlement).aggregate(s=Sum("amount_fen"))["s"] or 0


def spent(policy, year: int) -> int:
    return Payout.objects.filter(policy=policy, budget_year=year).aggregate(s=Sum("amount_fen"))["s"] or 0


QUEUE_STEPS = {  # (from, to) → the workflow step that moves an entitlement in the budget queue
    (S.PROPOSED, S.QUEUED): "queue", (S.CONFIRMED, S.QUEUED): "queue",
    (S.QUEUED, S.PROPOSED): "release", (S.QUEUED, S.CONFIRMED): "release_confirmed",
}


def requeue(user, policy, year: int) -> int:
    """Release or queue the period's payable entitlements in priority order; returns the queued total.

    Strict order: once one does not fit, the later ones wait too, so no one jumps the queue. The moves
    go through the entitlement workflow in bulk, one step at a time; positions are bulk-updated.
    """
    from fuhua.core.audit import record_bulk

    budget = Budget.objects.filter(policy=policy, year=year).first()
    remaining = None if budget is None else budget.amount_fen - spent(policy, year)
    rule = packs.get(policy.code).meta.priority
    waiting = sorted(Entitlement.objects.filter(policy=policy, period=year, status__in=PAYABLE, amount_fen__gt=0)
                     .select_related("carrier", "firm", "team", "operator", "person"), key=priority_key(rule))
    # the period's confirmations of the policy (not an IN list of a country's entitlements: SQLite's variable limit)
    confirmed = set(Confirmation.objects.filter(entitlement__policy=policy, entitlement__period=year)
                    .values_list("entitlement_id", flat=True))
    blocked, queued = False, 0
    moves: dict[str, list[Entitlement]] = {}
    moved_only: list[Entitlement] = []
    for position, e in enumerate(waiting, 1):
        e.policy = policy  # one policy object: the bureau guard is decided once
        e._confirmed = e.pk in confirmed
        fits = not blocked and (remaining is None or e.amount_fen <= remaining)
        if fits and remaining is not None:
            remaining -= e.amount_fen
        blocked = blocked or not fits
        status = (S.CONFIRMED if e._confirmed else S.PROPOSED) if fits else S.QUEUED
        queued += 0 if fits else e.amount_fen
        step = QUEUE_STEPS.get((e.status, status))
        if step is not None:
            if status == S.QUEUED:
                notify(e, _("Entitlement %(key)s (%(amount)s yuan) is queued: the %(year)s budget is used up; "
                            "position %(position)s.") % {"key": glossary.key_label(e.key), "amount": e.amount_yuan,
                                                          "year": year, "position": position})
            moves.setdefault(step, []).append(e)
            e.queue_position = position
        elif e.queue_position != position:
            e.queue_position = position
            moved_only.append(e)
    with acting_for(user):
        for step, entitlements in moves.items():
            ENTITLEMENT_WORKFLOW.apply_bulk(user, entitlements, step, fields=["queue_position"],
                                            reason=_("budget queue of %(year)s") % {"year": year})
        if moved_only:
            Entitlement.objects.bulk_update(moved_only, ["queue_position"], batch_size=2000)
            record_bulk(Entitlement, "update", moved_only, reason=_("budget queue of %(year)s") % {"year": year})
    return queued


def _propose_clawback(policy, e: Entitlement, amount: int, as_of: datetime.date, explanation: str,
                      citations: list, because: str) -> Entitlement:
    """A clawback entitlement (negative, status `clawback`) against the paid `e`, for the same holder; the
    bureau records the recovery through the workflow's `recover` step (services.ledger.recover)."""
    claw = Entitlement.objects.create(
        policy=policy, beneficiary=e.beneficiary, carrier=e.carrier, firm=e.firm, team=e.team, operator=e.operator,
        person=e.person, key=f"{e.key}:clawback", item=e.item, group=e.group, period=e.period, amount_fen=amount,
        status=S.CLAWBACK, reverses=e, recognition=e.recognition, as_of=as_of, explanation=explanation,
        citations=citations)
    notify(claw, _("Clawback proposed: %(amount)s yuan of %(key)s, because %(because)s.") % {
        "amount": fmt.yuan(-amount), "key": glossary.key_label(e.key), "because": because})
    return claw


def _clawbacks(policy, meta, as_of: datetime.date) -> int:
    """Carrier policies: the paid items whose recognition was revoked."""
    spec = meta.clawback
    if not spec:
        return 0
    made = 0
    revoked = (Entitlement.objects.filter(policy=policy, status=S.PAID, group__in=spec.get("groups", []),
                                          recognition__revoked_on__lte=as_of)
               .exclude(clawbacks__isnull=False).select_related("carrier", "recognition"))
    for e in revoked:
        amount = -round(net_paid(e) * int(spec.get("percent", 100)) / 100)
        if amount >= 0:
            continue
        _propose_clawback(
            policy, e, amount, as_of,
            _("Recognition %(doc)s revoked on %(day)s (%(reason)s). %(note)s") % {
                "doc": e.recognition.document_number, "day": e.recognition.revoked_on,
                "reason": e.recognition.revoked_reason, "note": spec.get("note", "")},
            [{"article": "clawback", "text": spec.get("note", "")}], _("the recognition was revoked"))
        made += 1
    return made


HOLDER_COLUMNS = {"firm": "firm_id", "team": "team_id", "operator": "operator_id", "person": "person_id"}


def _firm_clawbacks(policy, pack, as_of: datetime.date, beneficiary_ids=None) -> int:
    """Firm, team, operator and person policies: the paid items of the holders for whom one of the pack's
    clawback variables (`clawback.when`, per ledger group) holds — a designation revoked or found void, the
    firm gone from the region within the stated period, a team never registered… Per-period groups: the
    payouts of the period computed. Each paid entitlement is clawed back once."""
    from ..firm_compute import clawback_reasons

    spec = pack.meta.clawback
    when = packs.clawback_when(pack)
    if not when:
        return 0
    column = HOLDER_COLUMNS[packs.BENEFICIARIES[pack.beneficiary]]
    paid = (Entitlement.objects.filter(policy=policy, status=S.PAID, group__in=list(when))
            .exclude(clawbacks__isnull=False).select_related("carrier", "firm", "team", "operator", "person"))
    if beneficiary_ids is not None:
        paid = paid.filter(**{f"{column}__in": list(beneficiary_ids)})
    paid = [e for e in paid if pack.meta.groups.get(e.group) == "ever" or e.period == as_of.year]
    if not paid:
        return 0
    reasons = clawback_reasons(pack, as_of, [getattr(e, column) for e in paid])
    percent = int(spec.get("percent", 100))
    note = str(spec.get("note", ""))
    citation = dict(spec.get("citation") or {})
    made = 0
    for e in paid:
        reason = reasons.get(getattr(e, column), {}).get(e.group)
        if reason is None:
            continue
        amount = round(net_paid(e) * percent / 100)
        if reason.limit_fen is not None:
            amount = min(amount, reason.limit_fen)
        if amount <= 0:
            continue
        because = "；".join(reason.conditions)
        _propose_clawback(
            policy, e, -amount, as_of,
            _("As of %(day)s: %(because)s. %(note)s") % {"day": as_of, "because": because, "note": note},
            [{"article": citation.get("article", "clawback"), "text": citation.get("text", note),
              **{k: v for k, v in citation.items() if k not in ("article", "text")}}],
            because)
        made += 1
    return made


def run_entitlements(user, policy_code: str, as_of: datetime.date, *, explain: bool = True,
                     beneficiary_ids=None) -> EntitlementRun:
    """`beneficiary_ids`: a firm-level policy recomputed for these firms (or teams) only, after their data
    changed (services.push); nothing of the others is touched."""
    policy = policy_row(policy_code)
    require(user, "change", policy)
    if beneficiary_ids is not None and packs.get(policy_code).firm_level:
        result = compute_firms(policy_code, as_of, ids=beneficiary_ids)
    else:
        beneficiary_ids = None
        result = compute(policy_code, as_of)
    meta = result.policy.meta
    with transaction.atomic(), acting_for(user):
        run = EntitlementRun.objects.create(policy=policy, as_of=as_of, period=result.period,
                                            created_by=as_db_user(user),
                                            carriers=len(result.facts.ids), seconds=result.seconds)
        rows = Entitlement.objects.filter(policy=policy)
        if beneficiary_ids is not None:
            column = {"firm": "firm_id", "team": "team_id", "operator": "operator_id", "person": "person_id"}[
                packs.BENEFICIARIES[packs.get(policy_code).beneficiary]]
            rows = rows.filter(Q(**{f"{column}__in": list(beneficiary_ids)}))
        existing = {(*_entitlement_holder(e), e.key): e for e in rows}
        due_keys = set()
        for due in result.dues:
            holder = (*_holder(due), due.key)
            due_keys.add(holder)
            e = existing.get(holder)
            if e is not None and (e.status not in PAYABLE or e.amount_fen == due.amount_fen):
                continue  # unchanged, paid or being clawed back: nothing new
            why = result.explain(due) if explain else {"trace": {}, "text": "", "citations": []}
            if e is None:
                kind, _pk = due.beneficiary
                e = Entitlement.objects.create(
                    policy=policy, beneficiary=kind, carrier_id=due.carrier_id, firm_id=due.firm_id,
                    team_id=due.team_id, operator_id=due.operator_id, person_id=due.person_id, key=due.key,
                    item=due.item, group=due.group,
                    period=result.period, amount_fen=due.amount_fen, priority_on=due.priority_on,
                    recognition_id=due.recognition_id, run=run, as_of=as_of, explanation=why["text"],
                    trace=why["trace"], citations=why["citations"])
                run.created += 1
                notify(e, _("%(policy)s: %(amount)s yuan due to %(carrier)s (%(key)s). Please confirm the payment "
                            "details.") % {"policy": policy.title, "amount": e.amount_yuan, "carrier": e.holder,
                                           "key": glossary.key_label(e.key)})
            else:
                e.amount_fen, e.as_of, e.run = due.amount_fen, as_of, run
                e.explanation, e.trace, e.citations = why["text"], why["trace"], why["citations"]
                e.save()
                run.changed += 1
        gone = [e for holder, e in existing.items()
                if e.status in PAYABLE and e.period == result.period and holder not in due_keys]
        for e in gone:
            e.policy = policy
        ENTITLEMENT_WORKFLOW.apply_bulk(user, gone, "cancel", reason=_(
            "No longer due as of %(day)s (e.g. the recognition was revoked before payment).") % {"day": as_of})
        run.changed += len(gone)
        if result.policy.firm_level:
            run.changed += _firm_clawbacks(policy, result.policy, as_of, beneficiary_ids)
        else:
            run.changed += _clawbacks(policy, meta, as_of)
        run.queued_fen = requeue(user, policy, result.period)
        run.total_fen = sum(d.amount_fen for d in result.dues)
        run.save()
    return run


def confirm_step(entitlement: Entitlement) -> str:
    """The workflow step that records the payment details: a queued entitlement keeps its place."""
    return "confirm_queued" if entitlement.status == S.QUEUED else "confirm"


def may_confirm(user, entitlement: Entitlement):
    """The Decision for offering the confirmation form (pages and API ask this, not the status)."""
    return ENTITLEMENT_WORKFLOW.can(user, entitlement, confirm_step(entitlement))


def confirm(user, entitlement: Entitlement, data: dict) -> Confirmation:
    """The beneficiary confirms the bank account; the entitlement becomes payable when in budget."""
    require(user, "change", entitlement)
    ENTITLEMENT_WORKFLOW.can(user, entitlement, confirm_step(entitlement)).raise_if_refused()
    fields = {k: data.get(k, "") or "" for k in ("account_name", "bank_name", "account_number")}
    if not all(str(v).strip() for v in fields.values()):
        raise ValidationError({k: _("This field is required.") for k, v in fields.items() if not str(v).strip()})
    fields["branch"] = data.get("branch", "") or ""
    with transaction.atomic():
        ENTITLEMENT_WORKFLOW.apply(user, entitlement, confirm_step(entitlement),
                                   reason=_("Payment details confirmed."))
        confirmation = core_services.create_object(user, Confirmation, {
            **fields, "entitlement": entitlement, "confirmed_by": as_db_user(user)})
    return confirmation


def mark_read(user, notification: Notification) -> Notification:
    require(user, "change", notification)
    if notification.read_at is None:
        from django.utils import timezone

        with acting_for(user):
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at", "updated_at"])
    return notification
