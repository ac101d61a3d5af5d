from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.glossary import STATUSES
from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope
from fuhua.policies import packs

UPLOAD_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "xlsx", "docx", "zip")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def validate_upload(file) -> None:
    """Evidence files: common document formats, at most 20 MB (stored under MEDIA_ROOT)."""
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if extension not in UPLOAD_EXTENSIONS:
        raise ValidationError(_("Upload a %(kinds)s file.") % {"kinds": ", ".join(UPLOAD_EXTENSIONS)})
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("A file may be at most 20 MB."))


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", STATUSES["application_status"]["draft"]
    SUBMITTED = "submitted", STATUSES["application_status"]["submitted"]
    ACCEPTED = "accepted", STATUSES["application_status"]["accepted"]
    REVIEWED = "reviewed", STATUSES["application_status"]["reviewed"]
    NOTICE = "notice", STATUSES["application_status"]["notice"]
    PAID = "paid", STATUSES["application_status"]["paid"]
    EVALUATED = "evaluated", STATUSES["application_status"]["evaluated"]
    REJECTED = "rejected", STATUSES["application_status"]["rejected"]


class Application(FuhuaModel):
    """A carrier's application (申报) under a call: form → accept → review → 公示 → pay → evaluate."""

    call = models.ForeignKey("policies.Call", on_delete=models.PROTECT, related_name="applications",
                             verbose_name=_("call"))
    carrier = models.ForeignKey("registry.Carrier", on_delete=models.PROTECT, related_name="policy_applications",
                                verbose_name=_("carrier"))
    status = models.CharField(_("status"), max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT, editable=False, db_index=True)
    claimed_fen = models.BigIntegerField(_("claimed base amount (fen)"), default=0,
                                         help_text=_("e.g. rent and property fees waived, Feb–Jun 2020"))
    # The period the claimed amount covers (e.g. rent waived from 2020-02-01 to 2020-06-30): a policy that
    # pays for given months counts only claims inside its claim period.
    claim_from = models.DateField(_("claim covers from"), null=True, blank=True)
    claim_to = models.DateField(_("claim covers to"), null=True, blank=True)
    statement = models.TextField(_("statement"), blank=True)
    submitted_on = models.DateField(_("submitted"), null=True, blank=True, editable=False)
    approved_fen = models.BigIntegerField(_("approved base amount (fen)"), null=True, blank=True, editable=False)
    review_opinion = models.TextField(_("review opinion"), blank=True, editable=False)
    experts = models.CharField(_("experts"), max_length=200, blank=True, editable=False)
    notice_ends_on = models.DateField(_("public notice ends"), null=True, blank=True, editable=False)
    amount_fen = models.BigIntegerField(_("amount awarded (fen)"), null=True, blank=True, editable=False)
    feedback = models.TextField(_("evaluation and feedback"), blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    scope = Scope(region="call__policy__region", operator="carrier__operator_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["call", "carrier"], name="one_application_per_call")]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self):
        return f"{self.carrier} · {self.call}"

    def clean(self):
        errors = {}
        if self.claimed_fen is not None and self.claimed_fen < 0:
            errors["claimed_fen"] = _("The claimed amount cannot be negative.")
        if (self.claim_from is None) != (self.claim_to is None):
            errors["claim_to" if self.claim_from else "claim_from"] = _(
                "Give both the first and the last day the claimed amount covers.")
        elif self.claim_from and self.claim_from > self.claim_to:
            errors["claim_to"] = _("The claim period ends before it starts.")
        window = self.claim_window()
        if window and not errors and self.claimed_fen:
            start, end = window
            if self.claim_from is None:
                errors["claim_from"] = _("State the period the claimed amount covers (%(start)s to %(end)s).") % {
                    "start": start.isoformat(), "end": end.isoformat()}
            elif self.claim_from < start or self.claim_to > end:
                errors["claim_from"] = _("This policy pays only for %(start)s to %(end)s; the claim covers "
                                         "%(from)s to %(to)s.") % {"start": start.isoformat(), "end": end.isoformat(),
                                                                   "from": self.claim_from.isoformat(),
                                                                   "to": self.claim_to.isoformat()}
        if errors:
            raise ValidationError(errors)

    def claim_window(self):
        """The policy's claim period (from its pack), or None when it pays for no particular months."""
        if self.call_id is None:
            return None
        try:
            return packs.get(self.call.policy.code).meta.claim_period
        except packs.PolicyError:
            return None


class Attachment(FuhuaModel):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments",
                                    verbose_name=_("application"))
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), upload_to="policies/applications/%Y/", validators=[validate_upload])

    scope = Scope(region="application__call__policy__region", operator="application__carrier__operator_id")

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title
