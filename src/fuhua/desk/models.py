"""The one-stop service desk (一站式服务 / 全程代办): requests from firms and carrier operators, routed to a
service steward (服务管家) of the bureau by region and topic, answered to per-topic deadlines, rated on close.

Stewards are bureau staff: a `Steward` row designates a user who holds the bureau role over the
steward's region (checked in `Steward.clean`), for some topics, with a capacity of open requests. As bureau
staff a steward sees the requests of the bureau's region (the bureau oversees the desk); the pages open on
the requests assigned to the steward, and only the assigned steward answers, asks and resolves
(`workflow.py`). A request is routed only to an active steward whose region contains the request's region
(`services.route`), never outside it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core.context import current_actor
from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope
from fuhua.registry.models import Carrier

from . import topics

UPLOAD_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "xlsx", "docx", "doc", "zip", "txt")
MAX_UPLOAD_BYTES = 10 * 2**20  # each attachment; the pages and the API refuse larger files (core.uploads)
MAX_ATTACHMENTS = 10  # per message


class Status(models.TextChoices):
    NEW = "new", _("new")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    WAITING = "waiting", _("waiting for the requester")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")


OPEN = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING)
UNANSWERED = (Status.NEW, Status.ASSIGNED)  # no first response yet
WITH_STEWARD = (Status.ASSIGNED, Status.IN_PROGRESS)  # the steward's move
CLOCK_RUNNING = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)  # not while waiting for the requester


def validate_topics(value) -> None:
    if not isinstance(value, list) or any(not isinstance(code, str) for code in value):
        raise ValidationError(_("Give the topics as a list of codes."))
    unknown = [code for code in value if code not in topics.topics()]
    if unknown:
        raise ValidationError(_("Unknown topics: %(codes)s.") % {"codes": ", ".join(unknown)})


def covers(region, region_code: str) -> bool:
    """Whether `region` is `region_code` or contains it (codes of sub-regions share the prefix)."""
    return region is not None and region_code.startswith(region.code_prefix)


def designatable_staff(user) -> set[int] | None:
    """The users `user` may designate as stewards: bureau staff whose grant lies within the regions of the
    user's own bureau grants (None: anyone, for the platform and superusers; an empty set: nobody)."""
    if user is None or user.is_superuser:
        return None
    regions = [g.region for g in RoleGrant.objects.filter(user_id=user.pk, role=Role.BUREAU, region__isnull=False)
               .select_related("region")]
    return {g.user_id for g in RoleGrant.objects.filter(role=Role.BUREAU, region__isnull=False)
            if any(covers(r, g.region_id) for r in regions)}


class Steward(FuhuaModel):
    """A service steward (服务管家): a bureau staff member who takes requests of a region and some topics."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="desk_stewardships",
                             verbose_name=_("user"))
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    topics = models.JSONField(_("topics"), default=list, blank=True, validators=[validate_topics],
                              help_text=_("Topic codes this steward takes; empty: every topic."))
    capacity = models.PositiveSmallIntegerField(_("capacity (open requests)"), default=20)
    active = models.BooleanField(_("active"), default=True)

    scope = Scope(region="region")

    class Meta:
        ordering = ["region_id", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="desk_one_steward_per_region")]
        verbose_name = _("service steward")
        verbose_name_plural = _("service stewards")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        user = self.user
        return (user.get_full_name() or user.username) if user else "—"

    def takes(self, topic: str) -> bool:
        return not self.topics or topic in self.topics

    def topic_labels(self) -> str:
        return "、".join(topics.label(c) for c in self.topics) if self.topics else str(_("every topic"))

    def clean(self):
        if self.capacity is not None and self.capacity < 1:
            raise ValidationError({"capacity": _("A steward takes at least one request at a time.")})
        if self.user_id is None or self.region_id is None:
            return
        grants = RoleGrant.objects.filter(user_id=self.user_id, role=Role.BUREAU).select_related("region")
        if not any(covers(g.region, self.region_id) for g in grants):
            raise ValidationError({"user": _("A steward must be bureau staff whose region includes %(region)s.") % {
                "region": self.region}})
        actor_id = current_actor().user_id  # the designating user (core.services acts for it); None: the platform
        if actor_id is not None:
            staff = designatable_staff(get_user_model().objects.filter(pk=actor_id).first())
            if staff is not None and self.user_id not in staff:
                raise ValidationError({"user": _("You may designate only bureau staff of your own region.")})


class ServiceRequest(FuhuaModel):
    """A request to the desk from a firm or a carrier operator."""

    title = models.CharField(_("subject"), max_length=120)
    topic = models.CharField(_("topic"), max_length=20, choices=topics.choices())
    body = models.TextField(_("description"), max_length=5000)
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="desk_requests", verbose_name=_("firm"))
    organisation = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="desk_requests", verbose_name=_("organisation"),
                                     help_text=_("The carrier operator asking (when not a firm)."))
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+", editable=False,
                               verbose_name=_("region"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False, verbose_name=_("requested by"))
    steward = models.ForeignKey(Steward, null=True, blank=True, on_delete=models.PROTECT, related_name="requests",
                                editable=False, verbose_name=_("service steward"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW,
                              editable=False, db_index=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, editable=False, db_index=True)
    first_response_due = models.DateField(_("first response due"), editable=False)
    resolution_due = models.DateField(_("resolution due"), editable=False)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    # While the request waits for the requester the resolution clock stops (补正期间不计入办理时限): on the
    # reply the resolution deadline moves by the calendar days waited.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    resolution = models.TextField(_("resolution"), blank=True, editable=False)
    escalated_on = models.DateField(_("escalated to the bureau"), null=True, blank=True, editable=False)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0, editable=False)
    rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True, editable=False)
    rating_comment = models.CharField(_("comment on the service"), max_length=500, blank=True, editable=False)
    # A generic link to what the request is about: a policy application, a voucher order, an event…
    # (services.LINKABLE); checked against the requester's scope when set.
    link_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  editable=False, verbose_name=_("linked record type"))
    link_id = models.PositiveBigIntegerField(_("linked record"), null=True, blank=True, editable=False)

    scope = Scope(region="region", firm="firm_id", operator="organisation_id")

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["steward", "status"], name="desk_request_steward_idx")]
        constraints = [models.CheckConstraint(
            condition=models.Q(firm__isnull=False, organisation__isnull=True)
            | models.Q(firm__isnull=True, organisation__isnull=False), name="desk_request_one_requester")]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")

    def __str__(self):
        return f"#{self.pk} {self.title}" if self.pk else self.title

    @property
    def requester(self):
        return self.firm or self.organisation

    @property
    def topic_label(self) -> str:
        return topics.label(self.topic)

    def clean_fields(self, exclude=None):
        self.derive()
        super().clean_fields(exclude)

    def derive(self) -> None:
        """On opening: the region is the requester's, the deadlines follow the topic, the opener is the actor."""
        if not self._state.adding:
            return
        requester = self.firm if self.firm_id else (self.organisation if self.organisation_id else None)
        if requester is not None:
            self.region_id = requester.region_id
        if self.topic in topics.topics():
            topic, opened = topics.get(self.topic), timezone.localdate(self.opened_at)
            self.first_response_due = topic.first_response_due(opened)
            self.resolution_due = topic.resolution_due(opened)
        if self.requested_by_id is None:
            self.requested_by_id = current_actor().user_id

    def clean(self):
        if (self.firm_id is None) == (self.organisation_id is None):
            raise ValidationError({"firm": _("A request comes from one firm or one carrier operator.")})
        if self.organisation_id and not Carrier.objects.filter(operator_id=self.organisation_id).exists():
            raise ValidationError({"organisation": _("Only a carrier operator asks the desk as an organisation.")})

    def first_response_overdue(self, today) -> bool:
        return self.first_response_at is None and self.status in UNANSWERED and today > self.first_response_due

    def resolution_overdue(self, today) -> bool:
        return self.status in CLOCK_RUNNING and today > self.resolution_due

    def overdue(self, today) -> bool:
        return self.first_response_overdue(today) or self.resolution_overdue(today)

    @property
    def linked(self):
        """The linked record, or None (read without scope: pages show it only to those who may see it)."""
        if self.link_type_id is None:
            return None
        model = self.link_type.model_class()
        return model._base_manager.filter(pk=self.link_id).first() if model else None


class Message(FuhuaModel):
    """One message on a request: the requester's or the steward's (their answers and questions)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="messages",
                                verbose_name=_("service request"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("author"))
    from_steward = models.BooleanField(_("from the desk"), default=False)
    body = models.TextField(_("message"), max_length=5000)

    scope = Scope(region="request__region", firm="request__firm_id", operator="request__organisation_id")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return self.body[:40]


def validate_upload(file) -> None:
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if extension not in UPLOAD_EXTENSIONS:
        raise ValidationError(_("Upload a %(kinds)s file.") % {"kinds": ", ".join(UPLOAD_EXTENSIONS)})
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("A file may be at most %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20})


class Attachment(FuhuaModel):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments",
                                verbose_name=_("message"))
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to="desk/%Y/%m/", validators=[validate_upload])
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)

    scope = Scope(region="message__request__region", firm="message__request__firm_id",
                  operator="message__request__organisation_id")

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


class Notice(FuhuaModel):
    """An in-app notification about a request, for one user (also sent by e-mail when they have an address)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_notices",
                                  verbose_name=_("recipient"))
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="notices",
                                verbose_name=_("service request"))
    text = models.CharField(_("text"), max_length=300)
    read_at = models.DateTimeField(_("read"), null=True, blank=True, editable=False)

    scope = Scope(region="request__region", firm="request__firm_id", operator="request__organisation_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="desk_notice_unread_idx")]
        verbose_name = _("desk notice")
        verbose_name_plural = _("desk notices")

    def __str__(self):
        return self.text
