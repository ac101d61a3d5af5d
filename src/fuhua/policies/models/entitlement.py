from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core import formatting as fmt
from fuhua.core import glossary
from fuhua.core.glossary import STATUSES
from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope


class EntitlementRun(FuhuaModel):
    """One 免申即享 computation of a policy for the whole population as of a date."""

    policy = models.ForeignKey("policies.Policy", on_delete=models.CASCADE, related_name="runs",
                               verbose_name=_("policy"))
    as_of = models.DateField(_("as of"))
    period = models.PositiveSmallIntegerField(_("period (year)"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    carriers = models.PositiveIntegerField(_("carriers evaluated"), default=0)
    created = models.PositiveIntegerField(_("new entitlements"), default=0)
    changed = models.PositiveIntegerField(_("changed entitlements"), default=0)
    total_fen = models.BigIntegerField(_("total due (fen)"), default=0)
    queued_fen = models.BigIntegerField(_("queued over budget (fen)"), default=0)
    seconds = models.FloatField(_("computation (s)"), default=0)

    scope = Scope(region="policy__region")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("entitlement run")
        verbose_name_plural = _("entitlement runs")

    def __str__(self):
        return f"{self.policy.code} @ {self.as_of}"


class BeneficiaryKind(models.TextChoices):
    CARRIER = "carrier", _("carrier")
    FIRM = "firm", _("firm")
    TEAM = "team", _("start-up team")
    OPERATOR = "operator", _("carrier operator")
    PERSON = "person", _("person")


# One entitlement per policy, beneficiary and key (a team's carrier is its host, so teams are keyed by team).
# A person of a team is paid through the team's host carrier too: keyed by person.
BENEFICIARY_UNIQUE = [
    ("carrier", models.Q(firm__isnull=True, team__isnull=True, operator__isnull=True, person__isnull=True)),
    ("firm", models.Q(firm__isnull=False)),
    ("team", models.Q(team__isnull=False)),
    ("operator", models.Q(operator__isnull=False)),
    ("person", models.Q(person__isnull=False)),
]


class EntitlementStatus(models.TextChoices):
    PROPOSED = "proposed", STATUSES["entitlement_status"]["proposed"]
    QUEUED = "queued", STATUSES["entitlement_status"]["queued"]
    CONFIRMED = "confirmed", STATUSES["entitlement_status"]["confirmed"]
    PAID = "paid", STATUSES["entitlement_status"]["paid"]
    CANCELLED = "cancelled", STATUSES["entitlement_status"]["cancelled"]
    CLAWBACK = "clawback", STATUSES["entitlement_status"]["clawback"]
    RECOVERED = "recovered", STATUSES["entitlement_status"]["recovered"]


PAYABLE = (EntitlementStatus.PROPOSED, EntitlementStatus.QUEUED, EntitlementStatus.CONFIRMED)


class Entitlement(FuhuaModel):
    """What a carrier is owed under one item of a policy, with the trace that explains every yuan.

    The key (e.g. "incubator_construction:national", "operating:2025") is unique per policy and carrier:
    re-running a policy finds the same row, so nothing is created twice and the ledger's own unique
    key makes a second payment impossible. A clawback is an entitlement with a negative amount.
    """

    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="entitlements",
                               verbose_name=_("policy"))
    # The beneficiary: a carrier; a firm; or a start-up team, paid through the carrier hosting it (`carrier`,
    # whose operator confirms the account).
    beneficiary = models.CharField(_("beneficiary"), max_length=10, choices=BeneficiaryKind.choices,
                                   default=BeneficiaryKind.CARRIER)
    carrier = models.ForeignKey("registry.Carrier", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="entitlements", verbose_name=_("carrier"))
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="entitlements", verbose_name=_("firm"))
    team = models.ForeignKey("registry.StartupTeam", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="entitlements", verbose_name=_("start-up team"))
    # A carrier operator (the organisation running carriers) or a person (a founder under a talent programme:
    # confirmed by the founder's firm, or for a team's founder by the operator of the team's host `carrier`).
    operator = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="entitlements", verbose_name=_("carrier operator"))
    person = models.ForeignKey("registry.Founder", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="entitlements", verbose_name=_("person"))
    key = models.CharField(_("entitlement key"), max_length=120)
    item = models.CharField(_("item"), max_length=60)
    group = models.CharField(_("ledger group"), max_length=60)
    period = models.PositiveSmallIntegerField(_("period (year)"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    status = models.CharField(_("status"), max_length=12, choices=EntitlementStatus.choices,
                              default=EntitlementStatus.PROPOSED, editable=False, db_index=True)
    queue_position = models.PositiveIntegerField(_("position in the budget queue"), null=True, blank=True)
    priority_on = models.DateField(_("priority date"), null=True, blank=True)
    recognition = models.ForeignKey("registry.Recognition", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("triggering recognition"))
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="clawbacks",
                                 verbose_name=_("claws back"))
    run = models.ForeignKey(EntitlementRun, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="entitlements", verbose_name=_("computed by run"))
    as_of = models.DateField(_("as of"))
    explanation = models.TextField(_("explanation"), blank=True)
    trace = models.JSONField(_("trace"), default=dict, blank=True)
    citations = models.JSONField(_("citations"), default=list, blank=True)

    scope = Scope(region="policy__region", operator=("carrier__operator_id", "operator_id"),
                  firm=("firm_id", "person__firm_id"))

    class Meta:
        ordering = ["policy", "queue_position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", field, "key"], condition=condition,
                name="unique_entitlement_key" if field == "carrier" else f"unique_{field}_entitlement")
            for field, condition in BENEFICIARY_UNIQUE
        ]
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")

    def __str__(self):
        return f"{self.holder} · {glossary.key_label(self.key)} · {fmt.yuan(self.amount_fen)}"

    @property
    def holder(self):
        """Who is paid: the firm, the team, the operator, the person, or the carrier."""
        return self.firm or self.team or self.operator or self.person or self.carrier

    @property
    def holder_name(self) -> str:
        holder = self.holder
        return getattr(holder, "name", "") if holder is not None else ""

    @property
    def amount_yuan(self) -> str:
        return fmt.yuan(self.amount_fen)


BANK_WORDS = ("银行", "信用社", "信用合作联社", "农村商业银行", "农商行")
BRANCH_ENDINGS = ("支行", "分行", "营业部", "分理处", "储蓄所", "信用社")


def bank_errors(account_name: str, bank_name: str, account_number: str, branch: str, *, firm=None,
                holder=None) -> dict:
    """The payment details' rules, each error keyed by its field: the account number has 8 to 30 digits; the
    bank is a bank (its name says 银行 or 信用社); the opening branch (开户行) names a branch (…支行, …分行,
    …营业部); a firm is paid only into its own account (户名 = its registered name) at a named branch; so are
    a carrier operator and a person (`holder`: the organisation or the founder; 户名 = its name)."""
    firm = firm if firm is not None else holder
    errors = {}
    digits = (account_number or "").replace(" ", "")
    if digits and not (digits.isdigit() and 8 <= len(digits) <= 30):
        errors["account_number"] = _("A bank account number has 8 to 30 digits.")
    bank = (bank_name or "").strip()
    if bank and not any(w in bank for w in BANK_WORDS):
        errors["bank_name"] = _("Give the bank's full name (e.g. 中国工商银行).")
    place = (branch or "").strip()
    if place and not place.endswith(BRANCH_ENDINGS):
        errors["branch"] = _("Give the opening branch (开户行), e.g. 中国工商银行苏州工业园区支行.")
    if firm is not None:
        if not place:
            errors.setdefault("branch", _("A firm's account needs its opening branch (开户行)."))
        if (account_name or "").strip() and account_name.strip() != firm.name:
            errors["account_name"] = _("A beneficiary is paid into its own account: the account name must be "
                                       "%(name)s.") % {"name": firm.name}
    return errors


class Confirmation(FuhuaModel):
    """The beneficiary's confirmation of the payment details (收款账户) for one entitlement."""

    entitlement = models.OneToOneField(Entitlement, on_delete=models.CASCADE, related_name="confirmation",
                                       verbose_name=_("entitlement"))
    account_name = models.CharField(_("account name"), max_length=120)
    bank_name = models.CharField(_("bank"), max_length=120)
    account_number = models.CharField(_("account number"), max_length=40)
    branch = models.CharField(_("opening branch (开户行)"), max_length=120, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    scope = Scope(region="entitlement__policy__region",
                  operator=("entitlement__carrier__operator_id", "entitlement__operator_id"),
                  firm=("entitlement__firm_id", "entitlement__person__firm_id"))

    class Meta:
        verbose_name = _("payment confirmation")
        verbose_name_plural = _("payment confirmations")

    def __str__(self):
        return f"{self.account_name} {self.bank_name} ****{self.account_number[-4:]}"

    def clean(self):
        e = self.entitlement if self.entitlement_id else None
        errors = bank_errors(self.account_name, self.bank_name, self.account_number, self.branch,
                             firm=e and (e.firm or e.operator or e.person))
        if errors:
            raise ValidationError(errors)


class Notification(FuhuaModel):
    """A message to a carrier's operator (shown on their dashboard until read)."""

    organisation = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="notifications", verbose_name=_("recipient"))
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="policy_notifications", verbose_name=_("firm"))
    policy = models.ForeignKey("policies.Policy", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", verbose_name=_("policy"))
    carrier = models.ForeignKey("registry.Carrier", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+", verbose_name=_("carrier"))
    entitlement = models.ForeignKey(Entitlement, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="notifications", verbose_name=_("entitlement"))
    application = models.ForeignKey("policies.Application", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="notifications", verbose_name=_("application"))
    message = models.CharField(_("message"), max_length=300)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    scope = Scope(region=("carrier__region", "firm__region"), operator="organisation_id", firm="firm_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.message
