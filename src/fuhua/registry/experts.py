"""Drawing review panels from the expert pool (专家库抽取), shared by evaluation, policy application review and
competition judging.

A draw takes the experts the drawing user may see (`ExpertProfile.objects.restrict(user, "view")`: the pool
of their region and the experts shared with it), leaves out every expert with a reason, orders the rest and
takes the first N:

1. **Left out, with the reason** (`Exclusion.code`):
   - ``inactive``: the entry is deactivated, or the expert retired from the pool;
   - ``busy``: marked busy until a date on or after the draw's day;
   - ``field``: fields were asked for and the expert reviews none of them;
   - ``own_organisation``: the expert's employer is an organisation of the judged object (a carrier's
     operator, a firm's own organisation, an applicant);
   - ``declared``: the expert declared a relation with one of those organisations or carriers;
   - ``own_region``: configured (``exclude_own_region``) and the expert's region contains the object's, or the
     object's region contains the expert's (a Suzhou expert does not judge a Suzhou carrier);
   - ``no_account``: the panel needs experts who sign in to score (evaluation) and this one has no account.
2. **Rotation**: the fewest panels in the last `ROTATION_DAYS` days first.
3. **Seeded draw**: within the same count, the order of `random.Random(seed).shuffle` over the candidates
   sorted by id. The same pool, the same seed and the same history give the same panel; the seed is kept on
   the `ExpertDraw` record, so anyone can reproduce it. Without a seed, one is taken from the system's random
   source (`secrets.randbits(48)`) and recorded.

Every draw is recorded (`ExpertDraw`: purpose, object, seed, who, when, drawn and excluded with reasons). A
panel chosen by hand goes through `check_panel`, which refuses an expert with a conflict, naming it.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core import services as core
from fuhua.core.permissions import policy
from fuhua.core.scoping import check
from fuhua.core.system import as_db_user

from .choices import IndustryField
from .models import Availability, Carrier, ExpertDraw, ExpertProfile, Firm, Organisation, Region

ROTATION_DAYS = 365  # panels counted for rotation: those drawn in the last year
MAX_PANEL = 50


@dataclass(frozen=True)
class PanelTarget:
    """What a panel judges, as far as conflicts are concerned."""

    label: str
    region: Region | None = None  # the object's region (own-region exclusion)
    organisation_ids: frozenset[int] = frozenset()  # its organisations (operator, applicant…)
    carrier_ids: frozenset[int] = frozenset()
    obj: object = None  # the object itself, for the record (content type and id)

    @classmethod
    def of(cls, obj, label: str = "") -> PanelTarget:
        """The target of a carrier (its operator), a firm, an organisation, or any object with a `carrier`."""
        if isinstance(obj, Carrier):
            return cls(label or obj.name, obj.region, frozenset({obj.operator_id}), frozenset({obj.pk}), obj)
        if isinstance(obj, Organisation):
            return cls(label or obj.name, obj.region, frozenset({obj.pk}), frozenset(), obj)
        if isinstance(obj, Firm):
            return cls(label or obj.name, obj.region, frozenset(), frozenset(), obj)
        carrier = getattr(obj, "carrier", None)
        if isinstance(carrier, Carrier):
            base = cls.of(carrier)
            return cls(label or str(obj), base.region, base.organisation_ids, base.carrier_ids, obj)
        return cls(label or str(obj), None, frozenset(), frozenset(), obj)


@dataclass(frozen=True)
class Exclusion:
    expert: ExpertProfile
    code: str
    reason: str

    def as_record(self) -> dict:
        return {"expert": self.expert.pk, "name": self.expert.name, "code": self.code, "reason": self.reason}


@dataclass
class Plan:
    seed: int
    drawn: list[ExpertProfile] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
    recent: dict[int, int] = field(default_factory=dict)  # expert id → panels in the rotation window


def _regions_overlap(a: Region, b: Region) -> bool:
    return a.code.startswith(b.code_prefix) or b.code.startswith(a.code_prefix)


def conflict_of(expert: ExpertProfile, target: PanelTarget, *, exclude_own_region: bool = False,
                on: datetime.date | None = None, need_account: bool = False,
                declared_orgs: set[int] | None = None, declared_carriers: set[int] | None = None) -> Exclusion | None:
    """Why `expert` may not sit on a panel judging `target` (None when they may)."""
    on = on or timezone.localdate()
    if not expert.active or expert.availability == Availability.RETIRED:
        return Exclusion(expert, "inactive", _("%(name)s is not active in the pool.") % {"name": expert.name})
    if expert.availability == Availability.BUSY and (expert.busy_until is None or expert.busy_until >= on):
        return Exclusion(expert, "busy", _("%(name)s is busy until %(day)s.") % {
            "name": expert.name, "day": expert.busy_until or "—"})
    if expert.organisation_id and expert.organisation_id in target.organisation_ids:
        return Exclusion(expert, "own_organisation", _(
            "Conflict of interest: %(name)s works for %(org)s, an organisation of %(target)s.") % {
            "name": expert.name, "org": expert.organisation, "target": target.label})
    orgs = declared_orgs if declared_orgs is not None else {o.pk for o in expert.declared_organisations.all()}
    carriers = (declared_carriers if declared_carriers is not None
                else {c.pk for c in expert.declared_carriers.all()})
    if orgs & target.organisation_ids or carriers & target.carrier_ids:
        return Exclusion(expert, "declared", _(
            "Conflict of interest: %(name)s declared a relation with %(target)s.") % {
            "name": expert.name, "target": target.label})
    if exclude_own_region and target.region is not None and _regions_overlap(expert.region, target.region):
        return Exclusion(expert, "own_region", _(
            "Conflict of interest: %(name)s is from %(region)s, the region of %(target)s, which this panel "
            "excludes.") % {"name": expert.name, "region": expert.region, "target": target.label})
    if need_account and expert.user_id is None:
        return Exclusion(expert, "no_account", _(
            "%(name)s has no account to score with.") % {"name": expert.name})
    return None


def recent_panels(expert_ids: Iterable[int], on: datetime.date | None = None) -> dict[int, int]:
    """Panels each expert sat on in the rotation window before `on` (one grouped query)."""
    on = on or timezone.localdate()
    since = timezone.make_aware(datetime.datetime.combine(on - datetime.timedelta(days=ROTATION_DAYS),
                                                          datetime.time()))
    through = ExpertDraw.drawn.through.objects.filter(expertprofile_id__in=list(expert_ids),
                                                      expertdraw__created_at__gte=since)
    return dict(Counter(through.values_list("expertprofile_id", flat=True)))


def plan(user, target: PanelTarget, size: int, *, seed: int | None = None, fields: Iterable[str] = (),
         exclude_own_region: bool = False, need_account: bool = False, on: datetime.date | None = None,
         pool=None) -> Plan:
    """Who would be drawn (and who left out, why) without recording anything."""
    if not 1 <= size <= MAX_PANEL:
        raise ValidationError({"size": _("A panel has 1 to %(max)d experts.") % {"max": MAX_PANEL}})
    wanted = list(dict.fromkeys(fields))
    unknown = sorted(set(wanted) - set(IndustryField.values))
    if unknown:
        raise ValidationError({"fields": _("Unknown industry fields: %(codes)s.") % {"codes": ", ".join(unknown)}})
    seed = secrets.randbits(48) if seed is None else int(seed)
    on = on or timezone.localdate()
    experts = list((pool if pool is not None else ExpertProfile.objects.restrict(user, "view"))
                   .select_related("region", "organisation").prefetch_related(
                       "declared_organisations", "declared_carriers").order_by("pk").distinct())
    out = Plan(seed=seed)
    candidates = []
    for expert in experts:
        exclusion = conflict_of(expert, target, exclude_own_region=exclude_own_region, on=on,
                                need_account=need_account)
        if exclusion is None and wanted and not set(expert.fields) & set(wanted):
            exclusion = Exclusion(expert, "field", _("%(name)s reviews none of the fields asked for.") % {
                "name": expert.name})
        if exclusion:
            out.excluded.append(exclusion)
        else:
            candidates.append(expert)
    rng = random.Random(seed)  # noqa: S311 - reproducible by design (the seed is recorded); not a secret
    rng.shuffle(candidates)  # candidates were in id order: the shuffle depends on the seed alone
    out.recent = recent_panels([e.pk for e in candidates], on)
    candidates.sort(key=lambda e: out.recent.get(e.pk, 0))  # stable: the seeded order within a count
    if len(candidates) < size:
        raise ValidationError({"size": _(
            "Only %(count)d experts in your pool can sit on this panel; %(size)d were asked for.") % {
            "count": len(candidates), "size": size}})
    out.drawn = candidates[:size]
    return out


def _region_of(user, target: PanelTarget) -> Region:
    """The region the draw is recorded under: the object's, else the drawing user's first region."""
    if target.region is not None:
        return target.region
    for grant in policy().grants_of(user) if getattr(user, "pk", None) else ():
        if grant.region_id:
            return grant.region
    region = Region.objects.filter(parent__isnull=True).order_by("code").first()
    if region is None:
        raise ValidationError({"region": _("No region to record the draw under.")})
    return region


@transaction.atomic
def record(user, purpose: str, target: PanelTarget, experts: list[ExpertProfile], *, seed: int, size: int,
           excluded: Iterable[Exclusion] = (), fields: Iterable[str] = (),
           exclude_own_region: bool = False, drawn_by=None) -> ExpertDraw:
    """`drawn_by`: the person who asked for the draw when the platform records it on their behalf (an event
    organiser drawing a judging panel from the region's pool); by default the recording user."""
    obj = target.obj
    drawn_by = drawn_by if drawn_by is not None else user
    data = {
        "purpose": purpose, "object_label": target.label[:200], "region": _region_of(user, target), "seed": seed,
        "size": size, "wanted_fields": list(fields), "exclude_own_region": exclude_own_region,
        "excluded": [e.as_record() for e in excluded], "drawn": [e.pk for e in experts],
        "drawn_by": as_db_user(drawn_by) if getattr(drawn_by, "pk", None) else None,
    }
    if obj is not None and getattr(obj, "pk", None) is not None:
        data["content_type"] = ContentType.objects.get_for_model(type(obj))
        data["object_id"] = obj.pk
    return core.create_object(user, ExpertDraw, data)


def draw(user, purpose: str, target: PanelTarget, size: int, *, seed: int | None = None, fields: Iterable[str] = (),
         exclude_own_region: bool = False, need_account: bool = False, on: datetime.date | None = None,
         pool=None, drawn_by=None) -> ExpertDraw:
    """Draw and record a panel (see the module's docstring). ValidationError naming `size` when the pool
    cannot fill it; PermissionDenied when the user may not record draws. `pool`: a narrower queryset of the
    user's pool (e.g. without the experts already on the panel)."""
    decision = check(user, "add", ExpertDraw)
    if not decision:
        raise PermissionDenied(decision.reason)
    result = plan(user, target, size, seed=seed, fields=fields, exclude_own_region=exclude_own_region,
                  need_account=need_account, on=on, pool=pool)
    return record(user, purpose, target, result.drawn, seed=result.seed, size=size, excluded=result.excluded,
                  fields=fields, exclude_own_region=exclude_own_region, drawn_by=drawn_by)


def check_panel(experts: Iterable[ExpertProfile], target: PanelTarget, *, exclude_own_region: bool = False,
                need_account: bool = False, on: datetime.date | None = None) -> None:
    """Refuse a panel with an expert who may not judge `target`, naming the expert and the conflict."""
    problems = [c.reason for c in (conflict_of(e, target, exclude_own_region=exclude_own_region, on=on,
                                               need_account=need_account) for e in experts) if c]
    if problems:
        raise ValidationError({"experts": problems})


@transaction.atomic
def appoint(user, purpose: str, target: PanelTarget, experts: list[ExpertProfile], *,
            exclude_own_region: bool = False, need_account: bool = False) -> ExpertDraw:
    """A panel chosen by hand: every expert must be in the user's pool and free of conflicts; recorded with
    seed 0 (not drawn)."""
    visible = set(ExpertProfile.objects.restrict(user, "view").filter(pk__in=[e.pk for e in experts])
                  .values_list("pk", flat=True))
    missing = [e.name for e in experts if e.pk not in visible]
    if missing:
        raise ValidationError({"experts": _("Not in your pool: %(names)s.") % {"names": "、".join(missing)}})
    check_panel(experts, target, exclude_own_region=exclude_own_region, need_account=need_account)
    return record(user, purpose, target, experts, seed=0, size=len(experts), exclude_own_region=exclude_own_region)
