"""One network: this instance's identity, its peers, the provenance of federated records, the packages received.

An instance of Fuhua (a city's, a province's, the nation's) has one `Instance` row: its code, name, region and
the public half of its Ed25519 key (the private half stays in FUHUA_HOME, federation/keys.py). Its `Peer`s are
the parent it reports to and the children that report to it, each with the public key that signs what it
sends. A record received from a child is stored in the ordinary tables (a carrier is a `registry.Carrier`, so
every page, list, report and rule works on it as on local data) and mapped here by a `FederatedRecord`:
where it came from (the instance that owns it and its id there), its version (the last change time at the
source) and the peer that delivered it. Federated copies are read-only (federation/guard.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope


class Instance(FuhuaModel):
    """This installation's identity in the network (one row)."""

    code = models.CharField(_("instance code"), max_length=16, unique=True,
                            help_text=_("The region code for a city or province (e.g. 320500), CN for the nation."))
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("region"), help_text=_("Empty for the nation."))
    public_key = models.CharField(_("public key"), max_length=64, editable=False)
    url = models.URLField(_("address"), blank=True)

    scope = Scope()

    class Meta:
        verbose_name = _("network instance")
        verbose_name_plural = _("network instances")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def region_prefix(self) -> str:
        return self.region.code_prefix if self.region_id else ""


class Peer(FuhuaModel):
    """Another instance this one exchanges packages with: its parent, or one of its children."""

    class Relation(models.TextChoices):
        PARENT = "parent", _("parent")
        CHILD = "child", _("child")

    code = models.CharField(_("instance code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    relation = models.CharField(_("relation"), max_length=8, choices=Relation.choices)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("region"), help_text=_("Empty for the nation."))
    public_key = models.CharField(_("public key"), max_length=64,
                                  help_text=_("The peer's Ed25519 public key (base64), as `fuhua network status` "
                                              "prints it there."))
    url = models.URLField(_("address"), blank=True, help_text=_("Where a parent pulls this child's packages."))
    tables = models.JSONField(_("shared tables"), default=list, blank=True)
    # Child at the parent: the child's feed position the last imported package reached.
    # Parent at the child: the position the parent last acknowledged (its last pull's `since`).
    position = models.BigIntegerField(_("position"), default=0, editable=False)
    last_sync_at = models.DateTimeField(_("last sync"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True, editable=False)

    scope = Scope()

    class Meta:
        ordering = ["relation", "code"]
        verbose_name = _("peer")
        verbose_name_plural = _("peers")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def region_prefix(self) -> str:
        return self.region.code_prefix if self.region_id else ""

    @property
    def last_error_label(self) -> str:
        """The last error in the reader's language (stored as raised, in English: reasons.py)."""
        from .reasons import label

        return label(self.last_error)

    def clean(self):
        from .keys import parse_public_key
        from .tables import BY_KEY

        errors = {}
        try:
            parse_public_key(self.public_key or "")
        except ValueError as exc:
            errors["public_key"] = _("Not an Ed25519 public key (%(reason)s).") % {"reason": exc}
        unknown = [t for t in (self.tables or []) if t not in BY_KEY]
        if not isinstance(self.tables, list) or unknown:
            errors["tables"] = _("Unknown tables: %(tables)s.") % {"tables": ", ".join(map(str, unknown))}
        if (self.relation == self.Relation.PARENT
                and Peer.objects.filter(relation=self.Relation.PARENT).exclude(pk=self.pk).exists()):
            errors["relation"] = _("This instance already has a parent.")
        if Instance.objects.filter(code=self.code).exists():
            errors["code"] = _("That is this instance's own code.")
        if errors:
            raise ValidationError(errors)


class Origin(FuhuaModel):
    """An instance that owns federated records here, possibly reached through a peer (a city via its province)."""

    code = models.CharField(_("instance code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    via = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="origins", verbose_name=_("received from"))

    scope = Scope()

    class Meta:
        ordering = ["code"]
        verbose_name = _("source instance")
        verbose_name_plural = _("source instances")

    def __str__(self):
        return f"{self.name} ({self.code})"


class FederatedRecord(models.Model):
    """A local row that is a copy of a record owned by another instance (or, `linked`, a local record the
    same source also shares, matched by its credit code: kept as it is here, never overwritten)."""

    model = models.CharField(max_length=60)  # app_label.model_name
    local_id = models.CharField(max_length=64)
    origin = models.ForeignKey(Origin, on_delete=models.PROTECT, to_field="code", related_name="records")
    source_id = models.CharField(max_length=64)
    source_changed_at = models.DateTimeField()
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="records")
    linked = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "origin", "source_id"], name="federated_source")]
        indexes = [models.Index(fields=["model", "local_id"], name="federated_local")]
        verbose_name = _("federated record")
        verbose_name_plural = _("federated records")

    def __str__(self):
        return f"{self.model} {self.local_id} ← {self.origin_id}:{self.source_id}"


class PackageLog(FuhuaModel):
    """Every package this instance received (imported, refused, or still being applied) or sent."""

    class Direction(models.TextChoices):
        RECEIVED = "received", _("received")
        SENT = "sent", _("sent")

    class Outcome(models.TextChoices):
        APPLYING = "applying", _("being applied")
        IMPORTED = "imported", _("imported")
        REFUSED = "refused", _("refused")
        SUPERSEDED = "superseded", _("superseded by a later package")
        SENT = "sent", _("sent")

    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    package_id = models.CharField(_("package"), max_length=64, blank=True, db_index=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, null=True, blank=True, related_name="packages",
                             verbose_name=_("peer"))
    sender = models.CharField(_("sender"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, editable=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    from_position = models.BigIntegerField(_("from position"), default=0)
    to_position = models.BigIntegerField(_("to position"), default=0)
    records = models.PositiveIntegerField(_("records"), default=0)
    applied = models.PositiveIntegerField(_("applied"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)

    scope = Scope()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")

    def __str__(self):
        return f"{self.get_direction_display()} {self.package_id or '-'} {self.get_outcome_display()}"

    @property
    def reason_label(self) -> str:
        """Why the package was refused, in the reader's language (stored as raised, in English: reasons.py)."""
        from .reasons import label

        return label(self.reason)


class FigureGroup(models.TextChoices):
    STATISTICS = "statistics", _("accepted annual statistics")
    EVALUATIONS = "evaluations", _("published evaluation results")
    PAYOUTS = "payouts", _("policy payouts")
    VOUCHERS = "vouchers", _("innovation vouchers")
    EVENTS = "events", _("events")


class Figure(FuhuaModel):
    """An aggregate an instance shares instead of the records behind it: one measure for one region and year
    (e.g. the tenants of every accepted annual report of 工业园区 in 2025, the payouts of 苏州市 in 2025 in fen).
    An instance computes its own (`source` = its code: figures.refresh, before each export to its parent); the
    rows of other sources are copies received with a package, read-only like every federated record.

    `breakdown` is empty for the region's total; otherwise the part of the carriers of one kind, level and
    specialisation ("kind=incubator;level=national;specialisation=specialised", figures.breakdown_key): what a
    steering metric with conditions (`where`) sums at the parent. Packages from before it carry none."""

    source = models.CharField(_("computed by"), max_length=16)
    group = models.CharField(_("kind"), max_length=12, choices=FigureGroup.choices)
    measure = models.CharField(_("measure"), max_length=60)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.BigIntegerField(_("value"))
    breakdown = models.CharField(_("carriers counted"), max_length=100, blank=True, default="")

    scope = Scope(region="region")

    class Meta:
        ordering = ["group", "measure", "-year", "region"]
        constraints = [models.UniqueConstraint(fields=["source", "region", "year", "measure", "breakdown"],
                                               name="federation_figure_key")]
        indexes = [models.Index(fields=["group", "year"], name="federation_figure_group")]
        verbose_name = _("shared figure")
        verbose_name_plural = _("shared figures")

    def __str__(self):
        part = f" [{self.breakdown}]" if self.breakdown else ""
        return f"{self.source} {self.region_id} {self.year} {self.measure}{part} = {self.value}"
