"""Policy push (政策推送) and the reach of a firm-level policy before it is published.

* `reach`: the what-if on the real population — how many firms (or teams) are entitled, the total cost
  against the year's budget, how many are one condition away, by region — read only.
* `publish`: the bureau announces a firm-level policy: its 免申即享 run creates the entitlements (each firm
  notified to confirm its account); firms one condition away are told what they miss; subscribed firms hear
  of every new policy that concerns them.
* `firm_changed`: a firm's data changed (a designation, its annual figures, an investment, a founder): the
  published firm policies are recomputed for that firm only, the person policies for its founders; it is told
  what newly fits (never twice: FitNotice), its founders' near misses included.
* `operator_changed` / `people_changed`: the same for a carrier operator (a carrier it runs, a recognition) and
  for a team's founders: near misses told to the operator, to the founder's firm or to the host operator.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core.audit import record_bulk
from fuhua.core.bulk import among_pks
from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.system import SYSTEM, is_system
from fuhua.registry.models import Carrier, Firm, Founder, Organisation, Region
from fuhua.rules import RulesError

from .. import packs
from ..compute import compute
from ..firm_compute import CLOSE, ENTITLED, NOT_APPLICABLE, compute_firms, default_as_of, fits
from ..models import Budget, FitNotice, Notification, Policy, Subscription
from .ledger import budget_status
from .runs import require, run_entitlements
from .simulate import carriers_in_scope
from .sync import policy_row


def _firm_level(code: str) -> packs.PolicyPack:
    policy = packs.get(code)
    if not policy.firm_level:
        raise Conflict(_("%(code)s pays carriers; its reach is the what-if on the policy page.") % {"code": code})
    return policy


def _carrier_reach(user, row: Policy, code: str, as_of: datetime.date, overrides: dict | None) -> dict:
    """A carrier policy's reach: the carriers owed something and the total (its what-if has the detail)."""
    try:
        comp = compute(code, as_of, overrides=overrides)
    except (RulesError, packs.PolicyError) as exc:
        raise ValidationError({"set": str(exc)}) from None
    amounts = comp.by_carrier()
    visible = carriers_in_scope(user, amounts)
    names = dict(Carrier.objects.filter(pk__in=visible).values_list("pk", "name"))
    top = sorted(visible, key=lambda pk: (-amounts[pk], pk))[:20]
    budget = next((b for b in budget_status(row, Budget.objects.restrict(user)) if b["year"] == as_of.year), None)
    total = sum(amounts.values())
    return {"policy": code, "title": row.title, "beneficiary": "carrier", "as_of": as_of.isoformat(),
            "published_on": row.published_on.isoformat() if row.published_on else None, "overrides": overrides or {},
            "population": len(comp.facts.ids), "entitled": len(amounts), "total_fen": total, "close": 0,
            "applicable": len(amounts), "close_by_condition": [], "budget": budget,
            "over_budget_fen": max(total - budget["remaining_fen"], 0) if budget else None, "by_region": [],
            "top": [{"carrier_id": pk, "carrier": names.get(pk, ""), "amount_fen": amounts[pk]} for pk in top],
            "seconds": comp.seconds}


def reach(user, code: str, as_of: datetime.date, overrides: dict | None = None, *, top: int = 20) -> dict:
    """Firms (or teams) entitled, total cost, firms one condition away, by region; rows of the caller's scope.
    A carrier policy: the carriers owed something and the total."""
    row = policy_row(code)
    require(user, "view", row)
    policy = packs.get(code)
    if not policy.firm_level:
        return _carrier_reach(user, row, code, as_of, overrides)
    try:
        comp = compute_firms(code, as_of, overrides=overrides, with_conditions=True)
    except (RulesError, packs.PolicyError) as exc:
        raise ValidationError({"set": str(exc)}) from None
    fitted = fits(policy, comp)
    ids = comp.facts.ids.tolist()
    amounts = comp.by_carrier()
    entitled = [pk for pk in ids if amounts.get(pk, 0) > 0]
    close = [pk for pk, f in zip(ids, fitted, strict=True) if f.status == CLOSE]
    missing: dict[str, int] = {}
    for f in fitted:
        if f.status == CLOSE:
            label = f.missing[0].label
            missing[label] = missing.get(label, 0) + 1
    regions: dict[str, list[int]] = {}
    for pk in entitled:
        code_ = (comp.facts.region_code.get(pk) or "")[:4] + "00"
        regions.setdefault(code_, [0, 0])
        regions[code_][0] += 1
        regions[code_][1] += amounts[pk]
    names = dict(Region.objects.filter(code__in=list(regions)).values_list("code", "name"))
    # The rows: beneficiaries of the caller's scope only (the totals cover the policy). Each links to its fit
    # page: the firm's (a person's: its firm's), the operator's; teams have none.
    model = {"firm": Firm, "operator": Organisation, "person": Founder}.get(comp.entity)
    firm_names, links = {}, {}
    if model is not None:
        scope = model.objects.all() if is_system(user) else model.objects.restrict(user)
        firm_names = dict(scope.filter(pk__in=entitled).values_list("pk", "name"))
        if comp.entity == "person":
            links = {pk: reverse("policies:firm_fit", args=[f]) for pk, f in
                     Founder.objects.filter(pk__in=list(firm_names), firm__isnull=False).values_list("pk", "firm_id")}
        else:
            name = "policies:firm_fit" if comp.entity == "firm" else "policies:operator_fit"
            links = {pk: reverse(name, args=[pk]) for pk in firm_names}
    top_rows = sorted((pk for pk in entitled if pk in firm_names), key=lambda pk: (-amounts[pk], pk))[:top]
    total = sum(amounts.values())
    budget = next((b for b in budget_status(row, Budget.objects.restrict(user)) if b["year"] == as_of.year), None)
    return {
        "policy": code, "title": row.title, "beneficiary": policy.beneficiary, "as_of": as_of.isoformat(),
        "published_on": row.published_on.isoformat() if row.published_on else None, "overrides": overrides or {},
        "population": len(ids), "entitled": len(entitled), "total_fen": total, "close": len(close),
        "applicable": sum(1 for f in fitted if f.status != NOT_APPLICABLE),
        "close_by_condition": [{"label": k, "count": v} for k, v in sorted(missing.items(), key=lambda kv: -kv[1])],
        "budget": budget, "over_budget_fen": max(total - budget["remaining_fen"], 0) if budget else None,
        "by_region": [{"region": c, "name": names.get(c, c), "entitled": n, "total_fen": fen}
                      for c, (n, fen) in sorted(regions.items())],
        "top": [{"firm_id": pk, "firm": firm_names[pk], "amount_fen": amounts[pk], "url": links.get(pk, "")}
                for pk in top_rows],
        "seconds": comp.seconds,
    }


HOLDER_FIELDS = ("firm_id", "organisation_id", "person_id")


def _tell(policy: Policy, as_of: datetime.date, messages: list[tuple[dict, str, str, str]]) -> int:
    """Notify beneficiaries once per policy and fit: (holder, fit, message, missing) not told before, in bulk (a
    province's publication tells ten thousands of firms); audited like single writes (record_bulk). `holder`:
    {"firm_id"} for a firm, {"organisation_id"} for a carrier operator, {"person_id", and the recipient: the
    founder's "firm_id" or the host operator's "organisation_id"} for a person."""
    def key(holder: dict, fit: str) -> tuple:
        if holder.get("person_id"):
            return ("person", holder["person_id"], fit)
        if holder.get("firm_id"):
            return ("firm", holder["firm_id"], fit)
        return ("organisation", holder["organisation_id"], fit)

    if not messages:
        return 0
    told = set()
    for kind in ("firm", "organisation", "person"):
        ids = [m[0][f"{kind}_id"] for m in messages if key(m[0], m[1])[0] == kind]
        if ids:  # few: by id; a province's publication: the policy's notices (an IN list would pass SQLite's limit)
            rows = FitNotice.objects.filter(policy=policy, **{f"{kind}_id__isnull": False})
            if len(ids) <= 1000:
                rows = rows.filter(**{f"{kind}_id__in": ids})
            if kind != "person":
                rows = rows.filter(person__isnull=True)
            told |= {(kind, pk, fit) for pk, fit in rows.values_list(f"{kind}_id", "fit")}
    fresh, seen = [], set()
    for m in messages:
        k = key(m[0], m[1])
        if k not in told and k not in seen:
            seen.add(k)
            fresh.append(m)
    notices = [FitNotice(**{f: h.get(f) for f in HOLDER_FIELDS}, policy=policy, fit=fit, as_of=as_of,
                         missing=missing[:200]) for h, fit, _message, missing in fresh]
    notes = [Notification(firm_id=h.get("firm_id"), policy=policy, message=message[:300],
                          organisation_id=None if h.get("firm_id") else h.get("organisation_id"))
             for h, _fit, message, _missing in fresh]
    with transaction.atomic():
        FitNotice.objects.bulk_create(notices, batch_size=2000)
        Notification.objects.bulk_create(notes, batch_size=2000)
        record_bulk(FitNotice, "create", notices, reason=_("policy push"))
        record_bulk(Notification, "create", notes, reason=_("policy push"))
    return len(fresh)


def _person_recipients(comp) -> dict[int, dict]:
    """A founder is told through the founder's firm; a team's founder through the operator of the host carrier."""
    ids = comp.facts.ids.tolist()
    rows = dict(among_pks(Founder.objects.all(), ids).values_list("pk", "firm_id"))
    hosts = dict(among_pks(Carrier.objects.all(), set(comp.facts.host_carrier.values()))
                 .values_list("pk", "operator_id"))
    out = {}
    for pk in ids:
        if rows.get(pk):
            out[pk] = {"person_id": pk, "firm_id": rows[pk]}
        elif hosts.get(comp.facts.host_carrier.get(pk)):
            out[pk] = {"person_id": pk, "organisation_id": hosts[comp.facts.host_carrier[pk]]}
    return out


def _notify_fits(code: str, as_of: datetime.date, beneficiary_ids=None, *, new_policy: bool = False) -> dict:
    """Tell the beneficiaries one condition away what they miss (the smallest missing condition): firms, carrier
    operators and persons (through the founder's firm or the host operator); subscribed firms also hear of a new
    policy that concerns them."""
    row = policy_row(code)
    policy = packs.get(code)
    if policy.beneficiary not in ("firm", "operator", "person"):
        return {"close": 0, "subscribed": 0}
    comp = compute_firms(code, as_of, ids=beneficiary_ids, with_conditions=True)
    ids = comp.facts.ids.tolist()
    fitted = fits(policy, comp)
    if policy.beneficiary == "person":
        recipients = _person_recipients(comp)
        names = dict(among_pks(Founder.objects.all(), [pk for pk, f in zip(ids, fitted, strict=True)
                                                       if f.status == CLOSE]).values_list("pk", "name"))
    else:
        field = "firm_id" if policy.beneficiary == "firm" else "organisation_id"
        recipients = {pk: {field: pk} for pk in ids}
        names = {}
    subscribed = set()
    if policy.beneficiary == "firm":
        subscribed = set(Subscription.objects.filter(include_open=True).values_list("firm_id", flat=True))
        subscribed &= set(ids)  # few subscribers; the population may pass SQLite's variable limit
    close, new = [], []
    for pk, fit in zip(ids, fitted, strict=True):
        holder = recipients.get(pk)
        if holder is None:
            continue
        if fit.status == CLOSE:
            label = fit.missing[0].label
            if policy.beneficiary == "person":
                message = _("%(policy)s: %(person)s would be entitled if: %(missing)s.") % {
                    "policy": row.title, "person": names.get(pk, ""), "missing": label}
            else:
                message = _("%(policy)s: you would be entitled if: %(missing)s.") % {
                    "policy": row.title, "missing": label}
            close.append((holder, CLOSE, message, label))
        elif new_policy and pk in subscribed and fit.status not in (ENTITLED, NOT_APPLICABLE):
            new.append((holder, "new", _("New policy for you: %(policy)s (%(doc)s).") % {
                "policy": row.title, "doc": row.document_number or row.issuer}, ""))
    return {"close": _tell(row, as_of, close), "subscribed": _tell(row, as_of, new)}


def publish(user, code: str, as_of: datetime.date | None = None) -> dict:
    """Announce a firm-level policy: compute and save its entitlements, tell the close firms what they miss."""
    row = policy_row(code)
    require(user, "change", row)
    _firm_level(code)
    if row.published_on is not None:
        raise Conflict(_("This policy was published on %(day)s.") % {"day": row.published_on})
    as_of = as_of or default_as_of()
    with transaction.atomic(), acting_for(user):
        row.published_on = timezone.localdate()
        row.save(update_fields=["published_on", "updated_at"])
        run = run_entitlements(user, code, as_of)
        told = _notify_fits(code, as_of, new_policy=True)
    return {"policy": code, "published_on": as_of.isoformat(), "entitlements": run.created,
            "total_fen": run.total_fen, **told}


def _published(beneficiary: str) -> list[str]:
    codes = set(Policy.objects.filter(published_on__isnull=False, beneficiary=beneficiary)
                .values_list("code", flat=True))
    return [code for code, policy in packs.bundled().items() if code in codes and policy.beneficiary == beneficiary]


def _recompute(beneficiary: str, ids: list, as_of: datetime.date, out: dict) -> dict:
    """The published policies for `beneficiary` recomputed for `ids` alone (as the system); the newly close told."""
    with acting_for(SYSTEM):
        for code in _published(beneficiary):
            out["entitlements"] += run_entitlements(SYSTEM, code, as_of, beneficiary_ids=ids).created
            out["close"] += _notify_fits(code, as_of, ids)["close"]
    return out


def firm_changed(firm_id: int, as_of: datetime.date | None = None) -> dict:
    """After a firm's data changed: its published firm policies recomputed for it alone (as the system), and the
    person policies for its founders (a founder added, a title granted)."""
    as_of = as_of or default_as_of()
    out = _recompute("firm", [firm_id], as_of, {"entitlements": 0, "close": 0})
    founders = list(Founder.objects.filter(firm_id=firm_id).values_list("pk", flat=True))
    return _recompute("person", founders, as_of, out) if founders else out


def operator_changed(organisation_id: int, as_of: datetime.date | None = None) -> dict:
    """After a carrier operator's data changed (a carrier it runs, a recognition of one): its published operator
    policies recomputed for it alone (as the system); it is told what it newly misses by one condition."""
    return _recompute("operator", [organisation_id], as_of or default_as_of(), {"entitlements": 0, "close": 0})


def people_changed(founder_ids, as_of: datetime.date | None = None) -> dict:
    """After persons' data changed (a team's founder: its degree, a talent title): the published person policies
    recomputed for them alone; the newly close are told (through their firm or the host operator)."""
    return _recompute("person", list(founder_ids), as_of or default_as_of(), {"entitlements": 0, "close": 0})


def subscribe(user, firm: Firm) -> Subscription:
    require(user, "change", firm)
    with acting_for(user):
        found = Subscription.objects.filter(firm=firm).first()
        return found or Subscription.objects.create(firm=firm, created_by=None if is_system(user) else user)


def unsubscribe(user, firm: Firm) -> None:
    require(user, "change", firm)
    with acting_for(user):
        Subscription.objects.filter(firm=firm).delete()
