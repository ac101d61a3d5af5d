"""Targets: who may steer which region, progress against actuals per year and sub-region, completion and the
forecast (for carrier-count targets, the carriers the readiness engine finds close to the next level)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core import services as core_services
from fuhua.core.scoping import check, scope_filter
from fuhua.registry import readiness
from fuhua.registry.models import Region
from fuhua.rules import RulesError

from .metrics import Frame, catalogue
from .models import Target, TargetMode


def _reroot(q, prefix: str):
    """The scope condition of a model whose region sits at `prefix`, re-rooted onto Region itself."""
    if not isinstance(q, Q):
        key, value = q
        return (key[len(prefix):] if key.startswith(prefix) else key), value
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    out.children = [_reroot(child, prefix) for child in q.children]
    return out


def regions_in_reach(user, action: str = "view"):
    """Regions whose targets and reports the user may `action`: the same grants as `Target`'s scope."""
    q = scope_filter(Target, user, action)
    regions = Region.objects.all()
    return regions if q is None else regions.filter(_reroot(q, "region__"))


def region_for(user, code: str | None, action: str = "view") -> Region:
    """The region named by `code` if the user may steer it; 403 without the role, 404 outside the scope
    (as for objects), ValidationError naming `region` when there is no such region."""
    allowed = check(user, action, Target)
    if not allowed:
        raise PermissionDenied(allowed.reason)
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region %(code)s: give a region code such as 320600.")
                               % {"code": code}})
    if not regions_in_reach(user, action).filter(pk=region.pk).exists():
        raise Http404(_("This region is outside your scope."))
    return region


def default_region(user) -> Region | None:
    """The widest region the user steers (a province bureau: its province)."""
    if not check(user, "view", Target):
        return None
    rank = {"province": 0, "prefecture": 1, "county": 2}
    return min(regions_in_reach(user).only("code", "level", "name"), key=lambda r: (rank.get(r.level, 3), r.code),
               default=None)


def create_target(user, data: dict) -> Target:
    data = dict(data)
    code = data.pop("region", None)
    if isinstance(code, Region):
        code = code.code
    region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None:  # name every bad field at once: the region, and whatever else the target gets wrong
        errors = {"region": [_("Unknown region %(code)s: give a region code such as 320600.") % {"code": code}]}
        try:
            Target(**{k: v for k, v in data.items() if k in {f.name for f in Target._meta.fields}}).clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        raise ValidationError(errors)
    data["region"] = region
    target = core_services.create_object(user, Target, data)
    if getattr(user, "pk", None) and target.created_by_id is None:
        Target.objects.filter(pk=target.pk).update(created_by_id=user.pk)
    return target


@dataclass
class YearRow:
    year: int
    actual: float | None
    target: float | None  # the target that applies to this year (each year, or the end value at the end)
    met: bool | None


@dataclass
class Progress:
    target: Target
    metric: object
    years: list[YearRow]
    current: float | None  # the latest year with data (by_end) or its year's value (each_year)
    completion: float | None  # per cent
    by_child: list[dict] = field(default_factory=list)
    as_of_year: int | None = None
    forecast: dict | None = None


def _last_year(today: datetime.date) -> int:
    return today.year - 1


def progress(user, target: Target, frame: Frame | None = None, today: datetime.date | None = None,
             with_forecast: bool = True) -> Progress:
    today = today or timezone.localdate()
    metric = catalogue()[target.metric]
    frame = frame or Frame(user, target.region)
    value = float(target.value)
    last = min(target.last_year, _last_year(today))
    years = []
    for year in range(target.first_year, target.last_year + 1):
        actual = frame.value(metric.code, year).value if year <= last else None
        applies = value if (target.mode == TargetMode.EACH_YEAR or year == target.last_year) else None
        met = None if actual is None or applies is None else actual >= applies
        years.append(YearRow(year, actual, applies, met))
    done = [row for row in years if row.actual is not None]
    as_of = done[-1].year if done else None
    current = done[-1].actual if done else None
    if target.mode == TargetMode.EACH_YEAR:
        completion = round(100.0 * min(r.actual for r in done) / value, 1) if done and value else None
    else:
        completion = round(100.0 * current / value, 1) if current is not None and value else None
    by_child = []
    if as_of is not None:
        shown = frame.value(metric.code, as_of)
        for child in frame.children:
            by_child.append({"code": child.code, "name": child.name, "value": shown.by_child.get(child.code)})
    result = Progress(target, metric, years, current, completion, by_child, as_of)
    if with_forecast and metric.counts_carriers and "national" in metric.where.get("level", ()):
        result.forecast = forecast(user, target, frame, today)
    return result


def forecast(user, target: Target, frame: Frame, today: datetime.date) -> dict:
    """Carriers the national criteria find ready or closest, with what each lacks: who could close the gap."""
    as_of = today
    try:
        pack_id = readiness.default_pack("incubator", as_of)
        found = readiness.region_readiness(frame.carriers_qs.exclude(recognitions__level="national"), pack_id, as_of)
    except RulesError as exc:
        return {"error": str(exc)}
    labels = found["labels"]

    def row(r):
        c = r["carrier"]
        return {"id": c.pk, "name": c.name, "region": c.region.name, "failed_count": r["failed_count"],
                "lacks": [labels.get(n, n) for n in r["failed"]]}

    current = frame.value(target.metric, min(_last_year(today), target.last_year)).value or 0
    gap = max(0.0, float(target.value) - current) if target.mode == TargetMode.BY_END else None
    return {"pack": found["pack"].id, "document": found["pack"].document.number, "judged": found["judged"],
            "ready": [row(r) for r in found["meeting"]], "closest": [row(r) for r in found["closest"]],
            "gap": gap}


def progress_json(p: Progress) -> dict:
    t = p.target
    return {
        "id": t.pk, "metric": t.metric, "metric_label": p.metric.label, "unit": p.metric.unit,
        "region": t.region_id, "region_name": t.region.name, "period": t.period, "mode": t.mode,
        "value": float(t.value), "plan_title": t.plan_title, "plan_number": t.plan_number,
        "plan_article": t.plan_article, "as_of_year": p.as_of_year, "current": p.current,
        "completion": p.completion,
        "years": [{"year": y.year, "actual": y.actual, "target": y.target, "met": y.met} for y in p.years],
        "by_region": p.by_child, "forecast": p.forecast,
    }


def decimal_value(text) -> Decimal:
    try:
        return Decimal(str(text))
    except Exception as exc:
        raise ValidationError({"value": _("The target value %(text)s is not a number.") % {"text": text}}) from exc
