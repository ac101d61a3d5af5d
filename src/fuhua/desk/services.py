"""The desk's services: open a request, route it to a steward, exchange messages and files, take workflow
steps, link a request to what it is about, rate it, notify the people concerned, flag overdue requests.

Pages, the API, the CLI, the periodic task and the demo all call these; each checks the acting user again.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core import services as core_services
from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.system import SYSTEM

from . import topics
from .models import (
    CLOCK_RUNNING,
    MAX_ATTACHMENTS,
    OPEN,
    UNANSWERED,
    Attachment,
    Message,
    Notice,
    ServiceRequest,
    Status,
    Steward,
    covers,
)
from .workflow import REQUEST_WORKFLOW, REQUESTER_STEPS, STEWARD_STEPS, is_assigned_steward, is_requester, steward_fits

log = logging.getLogger("fuhua.desk")

# What a request may be linked to (a generic link: content type + id), when the app is installed.
LINKABLE = {
    "policies.application": gettext_lazy("policy application"),
    "vouchers.order": gettext_lazy("voucher order"),
    "marketplace.event": gettext_lazy("event"),
    "events.event": gettext_lazy("event"),
}


def linkable_models() -> dict[str, object]:
    """label → label text, for the linkable models this installation has."""
    out = {}
    for label, text in LINKABLE.items():
        try:
            apps.get_model(label)
        except (LookupError, ValueError):
            continue
        out[label] = text
    return out


# --- opening and routing ---------------------------------------------------------------------------


def requesters_of(user) -> tuple[list, list]:
    """The firms and the operator organisations `user` may ask for (its firm and operator grants)."""
    grants = [g for g in RoleGrant.objects.filter(user_id=user.pk).select_related("firm", "organisation")
              if g.role in (Role.FIRM, Role.OPERATOR)] if getattr(user, "pk", None) else []
    firms = [g.firm for g in grants if g.role == Role.FIRM and g.firm_id]
    organisations = [g.organisation for g in grants if g.role == Role.OPERATOR and g.organisation_id]
    return firms, organisations


def load(steward_ids) -> dict[int, int]:
    """Open requests per steward."""
    rows = (ServiceRequest.objects.filter(steward_id__in=list(steward_ids), status__in=OPEN)
            .values("steward_id").annotate(n=Count("id")))
    return {r["steward_id"]: r["n"] for r in rows}


def candidates(request: ServiceRequest) -> list[Steward]:
    """Active stewards whose region contains the request's and who take its topic, best first: the most
    local region, then the lightest load (open requests / capacity); those at capacity last."""
    stewards = [s for s in Steward.objects.filter(active=True).select_related("region", "user")
                if covers(s.region, request.region_id) and s.takes(request.topic)]
    loads = load(s.pk for s in stewards)

    def key(s):
        n = loads.get(s.pk, 0)
        return (n >= s.capacity, -len(s.region.code_prefix), n / s.capacity, s.pk)

    return sorted(stewards, key=key)


def route(request: ServiceRequest, at=None) -> Steward | None:
    """Assign the best-fitting steward with room (the platform routes: SYSTEM); None leaves the request new
    for the bureau to assign (no steward of the region takes the topic, or all are at capacity)."""
    best = next(iter(candidates(request)), None)
    if best is None or load([best.pk]).get(best.pk, 0) >= best.capacity:
        return None
    assign(SYSTEM, request, best, at=at, reason=_("routed by region and topic"))
    return best


def assign(user, request: ServiceRequest, steward, *, reason: str = "", at=None) -> ServiceRequest:
    """Assign (or reassign) a steward; refused for one outside the request's region (422, field steward)."""
    REQUEST_WORKFLOW.apply(user, request, "assign", steward=steward, reason=reason or _("steward assigned"),
                           at=at)
    notify(steward.user, request, _("New service request assigned to you: %(title)s") % {"title": request.title})
    return request


def assign_in_scope(user, request: ServiceRequest, steward_pk, *, reason: str = "") -> ServiceRequest:
    """Assign the steward numbered `steward_pk` (a page's or the API's choice): it must be in the user's scope
    (422, field steward, otherwise) before the workflow checks that it fits the request."""
    try:
        steward = Steward.objects.restrict(user).filter(pk=int(steward_pk or 0)).first()
    except (TypeError, ValueError):
        steward = None
    if steward is None:
        raise ValidationError({"steward": _("No such steward in your scope.")})
    return assign(user, request, steward, reason=reason)


@transaction.atomic
def open_request(user, data: dict, files=(), at=None, route_now: bool = True) -> ServiceRequest:
    """Open a request for a firm or operator the user acts for, attach files, route it to a steward.

    `data`: title, topic, body, and firm or organisation (optional when the user acts for just one);
    optionally link ("policies.application") and link_id. With `route_now` False the request stays new for
    the bureau (or the next periodic run, `escalate_overdue`) to assign."""
    data = dict(data)
    link = data.pop("link", None), data.pop("link_id", None)
    if not data.get("firm") and not data.get("organisation"):
        firms, organisations = requesters_of(user)
        if len(firms) + len(organisations) != 1:
            raise ValidationError({"firm": _("Say which firm or carrier operator asks.")})
        data["firm" if firms else "organisation"] = (firms or organisations)[0]
    if data.get("topic") not in topics.topics():
        raise ValidationError({"topic": _("Choose one of the topics: %(codes)s.") % {
            "codes": ", ".join(topics.topics())}})
    request = core_services.create_object(user, ServiceRequest, data)
    if not is_requester(user, request):
        raise PermissionDenied(_("Only a firm or carrier operator opens a request for itself."))
    if any(link):
        set_link(user, request, *link)
    if at is not None:  # the demo replays history
        ServiceRequest.objects.filter(pk=request.pk).update(opened_at=at)
        request.opened_at = at
        _set_deadlines(request)
    first = _message(user, request, request.body, False, at)
    for upload in files:
        _attach(user, first, upload)
    if route_now:
        route(request, at=at)
    return request


def _set_deadlines(request: ServiceRequest) -> None:
    topic, opened = topics.get(request.topic), timezone.localdate(request.opened_at)
    ServiceRequest.objects.filter(pk=request.pk).update(
        first_response_due=topic.first_response_due(opened), resolution_due=topic.resolution_due(opened))
    request.refresh_from_db(fields=["first_response_due", "resolution_due"])


def _author(user):
    return user if getattr(user, "pk", None) else None


# --- messages, files, steps -----------------------------------------------------------------------


def may_write(user, request: ServiceRequest):
    """Messages: the requester and the assigned steward, while the request is open (or resolved, to ask back)."""
    if request.status == Status.CLOSED:
        return Conflict(_("The request is closed."))
    if not (is_requester(user, request) or is_assigned_steward(user, request)):
        return PermissionDenied(_("Only the requester and the assigned steward write on a request."))
    return None


@transaction.atomic
def post_message(user, request: ServiceRequest, body: str, files=(), at=None,
                 as_steward: bool | None = None) -> Message:
    """A message with optional files. The steward's first message is the first response (assigned → in
    progress); the requester's message on a request waiting for it hands it back (waiting → in progress)."""
    problem = may_write(user, request)
    if problem is not None:
        raise problem
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    files = list(files)
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("At most %(n)s files per message.") % {"n": MAX_ATTACHMENTS}})
    # Which side writes: the assigned steward, or the requester (the platform says which, for the demo).
    steward = as_steward if user is SYSTEM and as_steward is not None else (
        user is not SYSTEM and is_assigned_steward(user, request))
    if steward and request.status == Status.ASSIGNED:
        REQUEST_WORKFLOW.apply(user, request, "start", at=at)
    elif not steward and request.status == Status.WAITING:
        REQUEST_WORKFLOW.apply(user, request, "reply", reason=body[:500], at=at)
    message = _message(user, request, body, steward, at)
    for upload in files:
        _attach(user, message, upload)
    if steward:
        _notify_requester(request, _("The service desk answered your request: %(title)s") % {"title": request.title})
    elif request.steward_id:
        notify(request.steward.user, request, _("The requester wrote on: %(title)s") % {"title": request.title})
    return message


def _message(user, request, body: str, from_steward: bool, at=None) -> Message:
    message = Message(request=request, author=_author(user), from_steward=from_steward, body=body)
    message.full_clean()
    with acting_for(user):
        message.save()
    if at is not None:
        Message.objects.filter(pk=message.pk).update(created_at=at)
    return message


def _attach(user, message: Message, upload) -> Attachment:
    attachment = Attachment(message=message, name=upload.name[:200], file=upload, size=upload.size or 0)
    try:
        attachment.full_clean()
    except ValidationError as exc:
        raise ValidationError({"files": [f"{upload.name}: {m}" for m in exc.messages]}) from None
    with acting_for(user):
        attachment.save()
    return attachment


@transaction.atomic
def take_step(user, request: ServiceRequest, name: str, *, reason: str = "", at=None, **kwargs) -> ServiceRequest:
    """A workflow step; the text of asking, replying, resolving, reopening and withdrawing is kept as a message,
    and the other side is told."""
    if name == "assign":
        raise ValidationError({"transition": _("Assign through the assignment form (it names the steward).")})
    if name == "rate":
        return rate(user, request, kwargs.get("rating"), kwargs.get("comment", ""), at=at)
    REQUEST_WORKFLOW.apply(user, request, name, reason=reason, at=at, **kwargs)
    if name in STEWARD_STEPS or name in REQUESTER_STEPS:
        _message(user, request, reason.strip(), name in STEWARD_STEPS, at)
    if name in STEWARD_STEPS:
        text = {"ask": _("The service desk needs something from you: %(title)s"),
                "resolve": _("Your request was resolved; please rate it: %(title)s")}[name]
        _notify_requester(request, text % {"title": request.title})
    elif name in REQUESTER_STEPS and request.steward_id:
        notify(request.steward.user, request, _("%(step)s by the requester: %(title)s") % {
            "step": REQUEST_WORKFLOW.transitions[name].label, "title": request.title})
    return request


def rate(user, request: ServiceRequest, rating, comment: str = "", at=None) -> ServiceRequest:
    """Rate a resolved request (1–5 and a comment) and close it; refused before it is resolved."""
    if request.status != Status.RESOLVED:
        raise Conflict(_("Only a resolved request can be rated (this one is %(status)s).") % {
            "status": request.get_status_display()})
    REQUEST_WORKFLOW.apply(user, request, "rate", reason=_("rated %(n)s/5") % {"n": rating}, rating=rating,
                           comment=comment or "", at=at)
    return request


# --- links ------------------------------------------------------------------------------------------


def set_link(user, request: ServiceRequest, label: str | None, object_id) -> ServiceRequest:
    """Link the request to a record the requester may see (a policy application, a voucher order, an event)."""
    if not is_requester(user, request):
        raise PermissionDenied(_("Only the requester links a request."))
    if not label or object_id in (None, ""):
        raise ValidationError({"link_type": _("Give the kind of record and its number.")})
    models = linkable_models()
    if label not in models:
        raise ValidationError({"link_type": _("A request can be linked to: %(kinds)s.") % {
            "kinds": "、".join(str(v) for v in models.values())}})
    model = apps.get_model(label)
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise ValidationError({"link_id": _("Give the record's number.")}) from None
    if not model._default_manager.restrict(user, "view").filter(pk=object_id).exists():
        raise ValidationError({"link_id": _("No such %(kind)s in your scope.") % {"kind": models[label]}})
    request.link_type, request.link_id = ContentType.objects.get_for_model(model), object_id
    with acting_for(user):
        request.save(update_fields=["link_type", "link_id", "updated_at"])
    return request


def linked_for(user, request: ServiceRequest):
    """The linked record if `user` may see it, else None."""
    if request.link_type_id is None:
        return None
    model = request.link_type.model_class()
    if model is None:
        return None
    return model._default_manager.restrict(user, "view").filter(pk=request.link_id).first()


# --- notifications --------------------------------------------------------------------------------


_mail = ContextVar("fuhua_desk_mail", default=True)


@contextlib.contextmanager
def no_mail():
    """Notices without e-mail inside the block (the demo replays months of history: nobody is to be mailed)."""
    token = _mail.set(False)
    try:
        yield
    finally:
        _mail.reset(token)


def notify(user, request: ServiceRequest, text: str) -> Notice | None:
    """An in-app notice, and an e-mail through Django's mail framework when the user has an address
    (the console backend unless SMTP is configured: settings, FUHUA_EMAIL_HOST)."""
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        return None
    notice = Notice(recipient=user, request=request, text=text[:300])
    with acting_for(SYSTEM):
        notice.save()
    if user.email and _mail.get():
        url = reverse("desk:servicerequest_detail", kwargs={"pk": request.pk})
        try:
            send_mail(text[:150], f"{text}\n\n{url}", None, [user.email], fail_silently=False)
        except Exception:  # the notice is in the app; a mail server that is down must not undo the step
            log.exception("desk: could not send mail to %s", user.email)
    return notice


def requester_users(request: ServiceRequest) -> list:
    """The active users who act for the request's firm or operator."""
    q = Q(role=Role.FIRM, firm_id=request.firm_id) if request.firm_id else Q(
        role=Role.OPERATOR, organisation_id=request.organisation_id)
    grants = RoleGrant.objects.filter(q).select_related("user")
    return list({g.user_id: g.user for g in grants if g.user.is_active}.values())


def _notify_requester(request: ServiceRequest, text: str) -> None:
    for user in requester_users(request):
        notify(user, request, text)


def mark_read(user, notice_ids=None) -> int:
    qs = Notice.objects.restrict(user).filter(recipient_id=user.pk, read_at__isnull=True)
    if notice_ids is not None:
        qs = qs.filter(pk__in=list(notice_ids))
    return qs.update(read_at=timezone.now())


# --- overdue ----------------------------------------------------------------------------------------


def overdue_q(today: datetime.date) -> Q:
    """Open requests past a deadline: first response, or resolution while the clock runs (not while waiting
    for the requester)."""
    return (Q(status__in=UNANSWERED, first_response_at__isnull=True, first_response_due__lt=today)
            | Q(status__in=CLOCK_RUNNING, resolution_due__lt=today))


def bureau_users(region_code: str, grants=None) -> list:
    """The active bureau staff over `region_code` (`grants`: the bureau grants, when already loaded)."""
    if grants is None:
        grants = RoleGrant.objects.filter(role=Role.BUREAU).select_related("region", "user")
    return [g.user for g in grants if covers(g.region, region_code) and g.user.is_active]


@dataclass
class Escalation:
    flagged: int
    routed: int
    closed: int


@transaction.atomic
def escalate_overdue(today: datetime.date | None = None) -> Escalation:
    """The periodic task's work (the platform, SYSTEM): route requests still new, flag each overdue request
    once to its steward and to the bureau staff of its region (in-app and by mail), and close resolved
    requests whose rating window has passed."""
    today = today or timezone.localdate()
    routed = sum(1 for r in ServiceRequest.objects.filter(status=Status.NEW).select_related("region")
                 if route(r) is not None)
    flagged, bureau_grants = 0, None
    for request in ServiceRequest.objects.filter(overdue_q(today), escalated_on__isnull=True).select_related(
            "steward__user", "region"):
        text = _("Overdue service request (due %(day)s): %(title)s") % {
            "day": (request.first_response_due if request.first_response_at is None else request.resolution_due),
            "title": request.title}
        if bureau_grants is None:  # read once, for every overdue request
            bureau_grants = list(RoleGrant.objects.filter(role=Role.BUREAU).select_related("region", "user"))
        for user in {u.pk: u for u in [*bureau_users(request.region_id, bureau_grants),
                                       *([request.steward.user] if request.steward_id else [])]}.values():
            notify(user, request, text)
        ServiceRequest.objects.filter(pk=request.pk).update(escalated_on=today)
        flagged += 1
    closed = 0
    limit = timezone.now() - datetime.timedelta(days=topics.settings().close_unrated_after_days)
    for request in ServiceRequest.objects.filter(status=Status.RESOLVED, resolved_at__lt=limit):
        REQUEST_WORKFLOW.apply(SYSTEM, request, "close_unrated")
        closed += 1
    return Escalation(flagged, routed, closed)


def stewards_for(user, request: ServiceRequest) -> list[Steward]:
    """The stewards the user may assign this request to (in the user's scope, fitting the request)."""
    return [s for s in Steward.objects.restrict(user).select_related("region", "user")
            if steward_fits(request, s)]


# --- the bureau's view ----------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    open: int = 0
    overdue: int = 0
    resolved: int = 0
    rated: int = 0
    rating_sum: int = 0
    response_hours: list = None
    resolution_days: list = None

    def __post_init__(self):
        self.response_hours, self.resolution_days = [], []

    @property
    def mean_rating(self) -> float | None:
        return round(self.rating_sum / self.rated, 2) if self.rated else None

    @property
    def first_response_hours(self) -> float | None:
        return round(sum(self.response_hours) / len(self.response_hours), 1) if self.response_hours else None

    @property
    def mean_resolution_days(self) -> float | None:
        return round(sum(self.resolution_days) / len(self.resolution_days), 1) if self.resolution_days else None

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "open": self.open, "overdue": self.overdue,
                "resolved": self.resolved, "rated": self.rated, "mean_rating": self.mean_rating,
                "first_response_hours": self.first_response_hours, "resolution_days": self.mean_resolution_days}


@dataclass
class Report:
    as_of: datetime.date
    total: int
    open: int
    overdue: int
    by_steward: list[Row]
    by_topic: list[Row]

    def as_dict(self) -> dict:
        return {"as_of": self.as_of, "total": self.total, "open": self.open, "overdue": self.overdue,
                "by_steward": [r.as_dict() for r in self.by_steward], "by_topic": [r.as_dict() for r in self.by_topic]}


def report(user, today: datetime.date | None = None, since: datetime.date | None = None) -> Report:
    """Load, overdue requests, first-response and resolution times, satisfaction — by steward and by topic,
    over the requests `user` may see (opened since `since`, when given)."""
    today = today or timezone.localdate()
    qs = ServiceRequest.objects.restrict(user)
    if since is not None:
        qs = qs.filter(opened_at__date__gte=since)
    fields = ("steward_id", "topic", "status", "opened_at", "first_response_at", "resolved_at", "rating",
              "first_response_due", "resolution_due")
    stewards = {s.pk: s for s in Steward.objects.filter(
        pk__in=qs.exclude(steward__isnull=True).values("steward_id")).select_related("user", "region")}
    by_steward: dict = {}
    by_topic = {code: Row(code, t.label) for code, t in topics.topics().items()}
    total = open_ = overdue = 0
    for r in qs.values(*fields).order_by():
        total += 1
        key = r["steward_id"]
        if key not in by_steward:
            steward = stewards.get(key)
            by_steward[key] = Row(str(key or ""), f"{steward} · {steward.region}" if steward else _("not assigned"))
        rows = [by_steward[key], by_topic.setdefault(r["topic"], Row(r["topic"], topics.label(r["topic"])))]
        is_open = r["status"] in OPEN
        late = (r["status"] in UNANSWERED and r["first_response_at"] is None and today > r["first_response_due"]) or (
            r["status"] in CLOCK_RUNNING and today > r["resolution_due"])
        open_ += is_open
        overdue += late
        for row in rows:
            row.open += is_open
            row.overdue += late
            if r["first_response_at"]:
                row.response_hours.append((r["first_response_at"] - r["opened_at"]).total_seconds() / 3600)
            if r["resolved_at"]:
                row.resolved += 1
                row.resolution_days.append((r["resolved_at"] - r["opened_at"]).total_seconds() / 86400)
            if r["rating"]:
                row.rated += 1
                row.rating_sum += r["rating"]
    steward_rows = sorted(by_steward.values(), key=lambda row: (row.key == "", row.label))
    return Report(today, total, open_, overdue, steward_rows, [r for r in by_topic.values()])
