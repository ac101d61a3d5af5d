"""Expert review (qualitative indicators, with conflict-of-interest rules) and appeals (a window after
publication, decisions recorded with the changes they made to the results)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core import services as core
from fuhua.core.context import acting_for, change_reason
from fuhua.core.exceptions import Conflict
from fuhua.core.scoping import check
from fuhua.core.system import as_db_user
from fuhua.core.workflow import ALLOWED, Decision, conflict, forbidden
from fuhua.registry import experts
from fuhua.registry.experts import PanelTarget
from fuhua.registry.models import DrawPurpose, ExpertDraw, ExpertProfile

from .models import Appeal, AppealStatus, EvaluationResult, EvaluationRun, ExpertAssignment, ExpertScore, RunStatus
from .services import compute_run, scheme_of
from .workflow import APPEAL_WORKFLOW


def _require(user, action: str, obj) -> None:
    decision = check(user, action, obj)
    if not decision:
        raise PermissionDenied(decision.reason)


# --- experts -------------------------------------------------------------------------------------


def conflict_of_interest(expert, result: EvaluationResult) -> str:
    """Why this expert may not review this carrier ("" when they may)."""
    grants = list(RoleGrant.objects.filter(user=expert, role=Role.EXPERT).select_related("region"))
    if not grants:
        return _("%(user)s is not an expert reviewer.") % {"user": expert}
    carrier = result.carrier
    for grant in grants:
        if grant.organisation_id and grant.organisation_id == carrier.operator_id:
            return _("Conflict of interest: %(user)s works for %(org)s, which operates this carrier.") % {
                "user": expert, "org": carrier.operator}
        if (grant.region_id and scheme_of(result.run).exclude_own_region
                and carrier.region_id.startswith(grant.region.code_prefix)):
            return _("Conflict of interest: the scheme excludes experts from the carrier's own region "
                     "(%(region)s).") % {"region": grant.region}
    return ""


def may_assign(user, result: EvaluationResult) -> Decision:
    """Experts are assigned by those who may add assignments, while the run is computed (pages ask this)."""
    decision = check(user, "add", ExpertAssignment)
    if not decision:
        return forbidden(decision.reason)
    if result.run.status != RunStatus.COMPUTED:
        return conflict(_("Experts are assigned while the run is computed and not yet published."))
    if not scheme_of(result.run).qualitative:
        return conflict(_("This scheme has no qualitative indicators for experts to score."))
    return ALLOWED


def assign_expert(user, result: EvaluationResult, expert) -> ExpertAssignment:
    result.run.refresh_from_db()
    may_assign(user, result).raise_if_refused()
    reason = conflict_of_interest(expert, result)
    if reason:
        raise ValidationError({"expert": reason})
    return core.create_object(user, ExpertAssignment, {"run": result.run, "result": result, "expert": expert})


@transaction.atomic
def draw_from_pool(user, result: EvaluationResult, size: int, *, seed: int | None = None,
                   fields=()) -> tuple[ExpertDraw, list[ExpertAssignment]]:
    """Draw `size` experts for this carrier's review from the expert pool (registry.experts: conflicts left
    out with their reasons, rotation, a reproducible seed, the draw recorded) and assign their accounts.
    All or nothing: an assignment refused (e.g. a conflict the expert's role grant shows) undoes the draw."""
    result.run.refresh_from_db()
    may_assign(user, result).raise_if_refused()
    carrier = result.carrier
    base = PanelTarget.of(carrier)
    target = PanelTarget(f"{result.run} · {carrier.name}", base.region, base.organisation_ids, base.carrier_ids,
                         result)
    already = set(ExpertAssignment.objects.filter(result=result).values_list("expert_id", flat=True))
    pool = ExpertProfile.objects.restrict(user, "view").exclude(user_id__in=already)
    draw_record = experts.draw(user, DrawPurpose.EVALUATION, target, size, seed=seed, fields=fields,
                               exclude_own_region=scheme_of(result.run).exclude_own_region, need_account=True,
                               pool=pool)
    assignments = [assign_expert(user, result, profile.user) for profile in draw_record.drawn.order_by("name")]
    return draw_record, assignments


def parse_score(value, maximum: int) -> int:
    """Points (up to 3 decimals) → milli-points, within 0..maximum."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": _("Give a number.")}) from None
    if not number.is_finite() or not 0 <= number <= maximum:
        raise ValidationError({"score": _("The score must be between 0 and %(max)d, got %(value)s.") % {
            "max": maximum, "value": value}})
    return int((number * 1000).to_integral_value())


@transaction.atomic
def score_indicator(user, assignment: ExpertAssignment, indicator: str, score, comment: str = "") -> ExpertScore:
    """The assigned expert's score of one qualitative indicator (replacing their earlier one)."""
    _require(user, "add", ExpertScore)
    _require(user, "view", assignment)
    if assignment.expert_id != user.pk:
        raise PermissionDenied(_("Only the assigned expert scores this carrier."))
    assignment.run.refresh_from_db()
    if assignment.run.status != RunStatus.COMPUTED:
        raise Conflict(_("Scores are given while the run is computed and not yet published."))
    qualitative = {i.code: i for i in scheme_of(assignment.run).qualitative}
    if indicator not in qualitative:
        raise ValidationError({"indicator": _("Unknown qualitative indicator %(code)s; choose one of %(codes)s.") % {
            "code": indicator, "codes": ", ".join(qualitative)}})
    milli = parse_score(score, qualitative[indicator].max_score)
    existing = ExpertScore.objects.filter(assignment=assignment, indicator=indicator).first()
    data = {"score_milli": milli, "comment": (comment or "").strip()}
    if existing is not None:
        return core.update_object(user, existing, data)
    return core.create_object(user, ExpertScore, {"assignment": assignment, "indicator": indicator, **data})


# --- appeals -------------------------------------------------------------------------------------


def appeal_window_open(run) -> bool:
    return run.status == RunStatus.PUBLISHED and (run.appeal_deadline is None
                                                  or timezone.localdate() <= run.appeal_deadline)


def may_appeal(user, result: EvaluationResult, run: EvaluationRun | None = None) -> Decision:
    """An appeal is filed by those who may add appeals and see the result, while the window is open."""
    decision = check(user, "add", Appeal)
    if not decision:
        return forbidden(decision.reason)
    run = run or result.run
    if run.status != RunStatus.PUBLISHED:
        return conflict(_("Appeals are filed against a published run."))
    if not appeal_window_open(run):
        return conflict(_("The appeal window closed on %(day)s.") % {"day": run.appeal_deadline})
    return ALLOWED


def file_appeal(user, result: EvaluationResult, reason: str) -> Appeal:
    _require(user, "add", Appeal)
    _require(user, "view", result)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the result is wrong.")})
    run = EvaluationRun.objects.get(pk=result.run_id)  # fresh: its status decides
    may_appeal(user, result, run).raise_if_refused()
    with acting_for(user):  # created in the initial state (pending); decided through APPEAL_WORKFLOW
        appeal = Appeal(result=result, reason=reason[:5000], filed_by=as_db_user(user) if user.pk else None)
        appeal.full_clean()
        appeal.save()
    return appeal


def _corrections(scheme, raw) -> dict[str, int]:
    codes = set(scheme.stats_codes())
    out, errors = {}, {}
    for code, value in (raw or {}).items():
        if code not in codes:
            errors[code] = _("not an input of scheme %(scheme)s") % {"scheme": scheme.id}
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[code] = _("give a whole number ≥ 0 in the field's stored unit")
        else:
            out[code] = value
    if errors:
        raise ValidationError({"corrections": "; ".join(f"{k}: {v}" for k, v in errors.items())})
    return out


@transaction.atomic
def decide_appeal(user, appeal: Appeal, upheld: bool, decision: str, corrections: dict | None = None) -> Appeal:
    """Uphold (optionally with corrected figures; the run is re-scored and every change recorded) or reject."""
    _require(user, "change", appeal)
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": _("Write the decision and its grounds.")})
    if appeal.status != AppealStatus.PENDING:
        raise Conflict(_("This appeal was already decided (%(status)s).") % {"status": appeal.get_status_display()})
    run = EvaluationRun.objects.get(pk=appeal.result.run_id)
    fixes = _corrections(scheme_of(run), corrections) if upheld else {}
    APPEAL_WORKFLOW.apply(user, appeal, "uphold" if upheld else "reject", reason=decision, actor=user,
                          corrections=fixes)
    with acting_for(user), change_reason(_("appeal decided")):
        if upheld:
            appeal.changes = compute_run(run)
            run.save()
            appeal.save(update_fields=["changes", "updated_at"])
    return appeal
