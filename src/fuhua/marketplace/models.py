"""The service marketplace (服务超市): categories, listed providers, their qualifications, the catalogue of
service products, and the ratings firms give after a delivery.

Scoping: a provider sees and changes its own listing and products (the `organisation` dimension of the
service-provider role); a bureau sees and decides on providers registered or serving in its region (and
their products). The public catalogue (listed providers, their published products, qualifications and
ratings) is what firms and operators view: their dimensions hold `Catalogue` paths. Statuses change only
through `marketplace.workflow`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fuhua.core.glossary import STATUSES
from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope, Via
from fuhua.registry.models.organisation import SearchableModel

UPLOAD_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def validate_upload(file) -> None:
    """Qualification certificates: PDF or image, at most 10 MB (views check the size first: core.uploads)."""
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if extension not in UPLOAD_EXTENSIONS:
        raise ValidationError(_("Upload a %(kinds)s file.") % {"kinds": ", ".join(UPLOAD_EXTENSIONS)})
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("A certificate file may be at most 10 MB."))


class Catalogue(Via):
    """A scope "path" that holds for the public catalogue whatever the grant's value: listed providers and
    their published products, qualifications and ratings. Given to the firm and operator dimensions, so these
    roles view (the only action the matrix gives them here) the whole catalogue; providers and bureaus keep
    their own dimension (their organisation, their region)."""

    def __init__(self, public: Callable[[], Q]):
        super().__init__("id")
        object.__setattr__(self, "public", public)

    def q(self, value) -> Q:
        return self.public()


class ServiceCategory(FuhuaModel):
    """A kind of service (知识产权代理, 检验检测, …): data, loaded from data/categories.yaml."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    scope = Scope(public=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        english = (get_language() or "zh-hans").startswith("en")
        return (self.name_en or self.name) if english else self.name


class ProgrammeCode(FuhuaModel):
    """A voucher programme a product may accept, by code: the vouchers app registers its programmes here
    (services.register_programme), so this app never imports it."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120, blank=True)

    scope = Scope(public=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("voucher programme")
        verbose_name_plural = _("voucher programmes")

    def __str__(self):
        return self.name or self.code


class ProviderStatus(models.TextChoices):
    APPLIED = "applied", STATUSES["provider_status"]["applied"]
    LISTED = "listed", STATUSES["provider_status"]["listed"]
    SUSPENDED = "suspended", STATUSES["provider_status"]["suspended"]
    DELISTED = "delisted", STATUSES["provider_status"]["delisted"]


class Provider(FuhuaModel):
    """An organisation listed (or applying to be listed) in the marketplace."""

    organisation = models.OneToOneField("registry.Organisation", on_delete=models.PROTECT,
                                        related_name="marketplace_provider", verbose_name=_("organisation"))
    categories = models.ManyToManyField(ServiceCategory, related_name="providers", verbose_name=_("service categories"))
    regions = models.ManyToManyField("registry.Region", related_name="marketplace_providers", blank=True,
                                     verbose_name=_("service regions"))
    introduction = models.TextField(_("introduction"), max_length=2000, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ProviderStatus.choices,
                              default=ProviderStatus.APPLIED, db_index=True, editable=False)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True, editable=False)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True, editable=False)
    applied_on = models.DateField(_("applied on"), null=True, blank=True, editable=False)
    listed_on = models.DateField(_("in the marketplace since"), null=True, blank=True, editable=False)
    # Set by the daily check (services.flag_expired_qualifications) and on every qualification change.
    qualification_expired = models.BooleanField(_("qualification expired"), default=False, editable=False)

    scope = Scope(region=("organisation__region", "regions"), organisation="organisation_id",
                  firm=Catalogue(lambda: Provider.public_q()), operator=Catalogue(lambda: Provider.public_q()))

    class Meta:
        ordering = ["organisation__search", "id"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")

    def __str__(self):
        return self.organisation.name

    @staticmethod
    def public_q(prefix: str = "") -> Q:
        return Q(**{f"{prefix}status": ProviderStatus.LISTED})

    @property
    def name(self) -> str:
        return self.organisation.name


class QualificationKind(models.TextChoices):
    PATENT_AGENCY = "patent_agency", _("patent agency licence (专利代理机构执业许可证)")
    TRADEMARK_AGENCY = "trademark_agency", _("trademark agency filing (商标代理机构备案)")
    CMA = "cma", _("inspection body accreditation (检验检测机构资质认定 CMA)")
    CNAS = "cnas", _("CNAS laboratory accreditation")
    LAW_FIRM = "law_firm", _("law firm practice licence (律师事务所执业许可证)")
    ACCOUNTING = "accounting", _("accounting firm licence (会计师事务所执业证书)")
    TAX_AGENT = "tax_agent", _("tax agent filing (税务师事务所备案)")
    HR_SERVICE = "hr_service", _("HR service licence (人力资源服务许可证)")
    CERTIFICATION = "certification", _("certification body approval (认证机构批准书)")
    TECH_TRANSFER = "tech_transfer", _("technology transfer institution (技术转移示范机构)")
    INCUBATOR = "incubator", _("incubator recognition (孵化器认定)")
    FINANCE = "finance", _("financial licence (金融许可证)")
    OTHER = "other", _("other qualification")


class Qualification(FuhuaModel):
    """A licence or accreditation of a provider, with its certificate and expiry."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="qualifications",
                                 verbose_name=_("service provider"))
    kind = models.CharField(_("kind"), max_length=20, choices=QualificationKind.choices)
    number = models.CharField(_("certificate number"), max_length=60)
    issuer = models.CharField(_("issued by"), max_length=120)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   help_text=_("Empty when the qualification does not expire."))
    attachment = models.FileField(_("certificate"), upload_to="marketplace/qualifications/%Y/", blank=True,
                                  validators=[validate_upload])

    scope = Scope(region=("provider__organisation__region", "provider__regions"),
                  organisation="provider__organisation_id", firm=Catalogue(lambda: Qualification.public_q()),
                  operator=Catalogue(lambda: Qualification.public_q()))

    class Meta:
        ordering = ["provider_id", "valid_until", "id"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @staticmethod
    def public_q() -> Q:
        return Provider.public_q("provider__")

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("A qualification cannot expire before it is valid.")})


class ProductStatus(models.TextChoices):
    DRAFT = "draft", STATUSES["product_status"]["draft"]
    PENDING = "pending", STATUSES["product_status"]["pending"]
    PUBLISHED = "published", STATUSES["product_status"]["published"]
    WITHDRAWN = "withdrawn", STATUSES["product_status"]["withdrawn"]
    REJECTED = "rejected", STATUSES["product_status"]["rejected"]


class Product(SearchableModel):
    """A service product in the catalogue: what, by whom, for how much, how fast, under which programmes."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="products",
                                 verbose_name=_("service provider"))
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="products",
                                 verbose_name=_("service category"))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    price_fen = models.PositiveBigIntegerField(_("price"), help_text=_("In fen (分), per unit."))
    unit = models.CharField(_("unit"), max_length=20, default="项", help_text=_("e.g. 项, 件, 次, 小时"))
    delivery_days = models.PositiveSmallIntegerField(_("delivery time (days)"),
                                                     validators=[MinValueValidator(1), MaxValueValidator(730)])
    programmes = models.ManyToManyField(ProgrammeCode, related_name="products", blank=True,
                                        verbose_name=_("accepted voucher programmes"))
    status = models.CharField(_("status"), max_length=12, choices=ProductStatus.choices,
                              default=ProductStatus.DRAFT, db_index=True, editable=False)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True, editable=False)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True, editable=False)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)
    # Kept current by services.rate (one transaction with the rating).
    rating_count = models.PositiveIntegerField(_("ratings"), default=0, editable=False)
    rating_total = models.PositiveIntegerField(default=0, editable=False)
    rating_avg = models.DecimalField(_("average rating"), max_digits=3, decimal_places=2, null=True, blank=True,
                                     editable=False)

    scope = Scope(region=("provider__organisation__region", "provider__regions"),
                  organisation="provider__organisation_id", firm=Catalogue(lambda: Product.public_q()),
                  operator=Catalogue(lambda: Product.public_q()))

    class Meta:
        ordering = ["search", "id"]
        indexes = [models.Index(fields=["status", "category"], name="mkt_product_status_cat_idx")]
        verbose_name = _("service product")
        verbose_name_plural = _("service products")

    def __str__(self):
        return self.name

    @staticmethod
    def public_q(prefix: str = "") -> Q:
        return Q(**{f"{prefix}status": ProductStatus.PUBLISHED}) & Provider.public_q(f"{prefix}provider__")

    def search_parts(self):
        return (self.name, getattr(self.category, "name", ""))


class Rating(FuhuaModel):
    """A firm's rating (1–5) of a product after a delivery; `source` names the delivery, so it rates once."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="ratings",
                                verbose_name=_("service product"))
    firm = models.ForeignKey("registry.Firm", on_delete=models.CASCADE, related_name="marketplace_ratings",
                             verbose_name=_("firm"))
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=80, blank=True,
                              help_text=_("What was delivered, e.g. vouchers.order:123; one rating per source."))
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", editable=False)

    scope = Scope(region=("product__provider__organisation__region", "product__provider__regions"),
                  organisation="product__provider__organisation_id",
                  firm=("firm_id", Catalogue(lambda: Rating.public_q())), operator=Catalogue(lambda: Rating.public_q()))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source"], condition=~Q(source=""), name="mkt_rating_once_per_source"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="mkt_rating_score_1_5"),
        ]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self):
        return f"{self.product} ★{self.score}"

    @staticmethod
    def public_q() -> Q:
        return Product.public_q("product__")


class ApprovalSetting(FuhuaModel):
    """Whether products of providers registered in a region need the bureau's approval before they are
    published. The nearest setting up the region tree applies; without any, approval is required."""

    region = models.OneToOneField("registry.Region", on_delete=models.CASCADE, related_name="marketplace_approval",
                                  verbose_name=_("region"))
    products_need_approval = models.BooleanField(_("products need approval"), default=True)

    scope = Scope(region="region")

    class Meta:
        ordering = ["region_id"]
        verbose_name = _("catalogue approval setting")
        verbose_name_plural = _("catalogue approval settings")

    def __str__(self):
        return f"{self.region}: {self.products_need_approval}"
