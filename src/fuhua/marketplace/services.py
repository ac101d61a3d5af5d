"""The marketplace's services: pages, the API, the CLI, the demo and other apps call these.

Public services (stable; the vouchers app uses the ones marked *):

- `register_programme(code, name="")` *          a voucher programme products may accept (idempotent)
- `apply_provider(user, *, credit_code, categories, contact_name, contact_phone, …, on=None)` → Provider (applied)
- `update_provider(user, provider, data)` / `transition_provider(user, provider, step, reason="")`
  steps: list, decline, suspend, reinstate, delist (marketplace.workflow.PROVIDER_WORKFLOW)
- `add_qualification(user, provider, data)` / `update_qualification` / `delete_qualification`
- `refresh_qualification_flag(provider, on=None)` / `flag_expired_qualifications(user, on=None)` → count
- `create_product(user, provider, data)` / `update_product(user, product, data)`
- `transition_product(user, product, step, reason="")` steps: submit, publish, approve, reject, withdraw, revise
- `is_orderable(product, on=None)` * → core.workflow.Decision: published, provider listed, no expired
  qualification (code "conflict" with the reason when not)
- `accepts_programme(product, code)` * → bool; `products_for_programme(user, code)` * → queryset
- `rate(user, product, firm, score, comment="", source="")` * → Rating: score 1–5 (ValidationError on
  `score` otherwise); the firm must be the user's own (ValidationError on `firm`); `source` (e.g.
  "vouchers.order:123") rates once (Conflict on a second rating); the product's rating_count / rating_avg
  are updated in the same transaction
- `search_products(user, q="", category=None, region=None, price_min_fen=None, price_max_fen=None,
  min_rating=None, programme=None)` → queryset: the catalogue a user sees, filtered (Chinese or pinyin)
- `expiring_qualifications(user, on=None, days=QUALIFICATION_WARNING_DAYS)` → queryset
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhua.core import services as crud
from fuhua.core.context import acting_for
from fuhua.core.exceptions import Conflict
from fuhua.core.scoping import check
from fuhua.core.system import as_db_user
from fuhua.core.validators import validate_credit_code
from fuhua.core.workflow import ALLOWED, Decision, conflict
from fuhua.registry.choices import OrganisationKind
from fuhua.registry.models import Organisation, Region

from .models import Product, ProductStatus, ProgrammeCode, Provider, ProviderStatus, Qualification, Rating
from .workflow import PRODUCT_WORKFLOW, PROVIDER_WORKFLOW

QUALIFICATION_WARNING_DAYS = 30  # the inbox warns this many days before a qualification expires


def _today(on=None) -> datetime.date:
    return on or timezone.localdate()


# --- programmes --------------------------------------------------------------------------------------


def register_programme(code: str, name: str = "") -> ProgrammeCode:
    """Make a voucher programme known to the catalogue (platform data, called by the vouchers app)."""
    obj, created = ProgrammeCode.objects.get_or_create(code=code, defaults={"name": name})
    if not created and name and obj.name != name:
        obj.name = name
        obj.save(update_fields=["name", "updated_at"])
    return obj


# --- providers ---------------------------------------------------------------------------------------


@transaction.atomic
def apply_provider(user, *, credit_code: str, categories, contact_name: str, contact_phone: str, regions=(),
                   name: str = "", region=None, on=None, **more) -> Provider:
    """A provider applies to be listed, by its organisation's credit code.

    The organisation must be a service provider the user may change (a provider user: its own); a bureau
    may also register a new one in its region (give `name` and `region`). Refusals name the field."""
    code = (credit_code or "").strip().upper()
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.messages}) from exc
    organisation = Organisation.objects.filter(credit_code=code).first()
    if organisation is None:
        if not name or region is None:
            raise ValidationError({"credit_code": _("No organisation has this credit code; give its name and "
                                                    "region to register it.")})
        organisation = crud.create_object(user, Organisation, {
            "name": name, "credit_code": code, "region": region, "kind": OrganisationKind.SERVICE_PROVIDER})
    else:
        if not Organisation.objects.restrict(user, "change").filter(pk=organisation.pk).exists():
            raise ValidationError({"credit_code": _("This organisation is not yours to apply for.")})
        if organisation.kind != OrganisationKind.SERVICE_PROVIDER:
            raise ValidationError({"credit_code": _("%(name)s is registered as %(kind)s, not as a service "
                                                    "provider.") % {"name": organisation.name,
                                                                    "kind": organisation.get_kind_display()}})
        if Provider._base_manager.filter(organisation=organisation).exists():
            raise Conflict(_("%(name)s has already applied.") % {"name": organisation.name})
    data = {"organisation": organisation, "categories": list(categories), "regions": list(regions),
            "contact_name": contact_name, "contact_phone": contact_phone, **more}
    if not data["categories"]:
        raise ValidationError({"categories": _("Choose at least one service category.")})
    provider = crud.create_object(user, Provider, data)
    provider.applied_on = _today(on)
    with acting_for(user):
        provider.save(update_fields=["applied_on", "updated_at"])
    return provider


def update_provider(user, provider: Provider, data: dict) -> Provider:
    provider = crud.update_object(user, provider, data)
    return provider


def transition_provider(user, provider: Provider, step: str, reason: str = "", on=None) -> Provider:
    return PROVIDER_WORKFLOW.apply(user, provider, step, reason=reason, on=on)


# --- qualifications ----------------------------------------------------------------------------------


def _expired_q(on: datetime.date) -> Q:
    return Q(valid_until__lt=on)


def refresh_qualification_flag(provider: Provider, on=None) -> bool:
    """Set the provider's `qualification_expired` from its qualifications today; True when it changed."""
    expired = provider.qualifications.filter(_expired_q(_today(on))).exists()
    if expired == provider.qualification_expired:
        return False
    provider.qualification_expired = expired
    provider.save(update_fields=["qualification_expired", "updated_at"])
    return True


@transaction.atomic
def add_qualification(user, provider: Provider, data: dict) -> Qualification:
    qualification = crud.create_object(user, Qualification, {**data, "provider": provider})
    with acting_for(user):
        refresh_qualification_flag(provider)
    return qualification


@transaction.atomic
def update_qualification(user, qualification: Qualification, data: dict) -> Qualification:
    qualification = crud.update_object(user, qualification, data)
    with acting_for(user):
        refresh_qualification_flag(qualification.provider)
    return qualification


@transaction.atomic
def delete_qualification(user, qualification: Qualification) -> None:
    provider = qualification.provider
    crud.delete_object(user, qualification)
    with acting_for(user):
        refresh_qualification_flag(provider)


def flag_expired_qualifications(user, on=None) -> int:
    """The daily check: flag providers (in the user's scope) with a qualification past its date, and clear
    the flag of those renewed. Returns how many providers changed."""
    day = _today(on)
    providers = Provider.objects.restrict(user, "change")
    expired = set(Qualification._base_manager.filter(_expired_q(day), provider__in=providers)
                  .values_list("provider_id", flat=True))
    changed = 0
    with transaction.atomic(), acting_for(user):
        for provider in providers.filter(Q(pk__in=expired, qualification_expired=False)
                                         | (Q(qualification_expired=True) & ~Q(pk__in=expired))):
            provider.qualification_expired = provider.pk in expired
            provider.save(update_fields=["qualification_expired", "updated_at"])
            changed += 1
    return changed


def expiring_qualifications(user, on=None, days: int = QUALIFICATION_WARNING_DAYS):
    """Qualifications (of providers in the user's own scope: a bureau's region, a provider's own) that
    expire within `days` or have expired."""
    day = _today(on)
    return (Qualification.objects.restrict(user, "view")
            .filter(valid_until__isnull=False, valid_until__lte=day + datetime.timedelta(days=days),
                    provider__status__in=(ProviderStatus.APPLIED, ProviderStatus.LISTED, ProviderStatus.SUSPENDED))
            .select_related("provider__organisation"))


# --- products ----------------------------------------------------------------------------------------


def create_product(user, provider: Provider, data: dict) -> Product:
    return crud.create_object(user, Product, {**data, "provider": provider})


def update_product(user, product: Product, data: dict) -> Product:
    return crud.update_object(user, product, data)


def transition_product(user, product: Product, step: str, reason: str = "", on=None) -> Product:
    return PRODUCT_WORKFLOW.apply(user, product, step, reason=reason, on=on)


def is_orderable(product: Product, on=None) -> Decision:
    """May a firm order this product now? Published, its provider listed, no qualification expired."""
    provider = product.provider
    if product.status != ProductStatus.PUBLISHED:
        return conflict(_("%(product)s is not published (%(status)s).") % {
            "product": product.name, "status": product.get_status_display()})
    if provider.status != ProviderStatus.LISTED:
        return conflict(_("The provider %(provider)s is %(status)s.") % {
            "provider": provider.name, "status": provider.get_status_display()})
    day = _today(on)  # the qualifications as loaded (a list prefetches them): no query per product
    if provider.qualification_expired or any(q.valid_until and q.valid_until < day
                                             for q in provider.qualifications.all()):
        return conflict(_("A qualification of the provider %(provider)s has expired.") % {"provider": provider.name})
    return ALLOWED


def accepts_programme(product: Product, code: str) -> bool:
    return product.programmes.filter(code=code).exists()


def products_for_programme(user, code: str):
    """Published products (visible to the user) that accept the voucher programme `code`."""
    return (Product.objects.restrict(user, "view").filter(Product.public_q(), programmes__code=code)
            .select_related("provider__organisation", "category"))


# --- ratings -----------------------------------------------------------------------------------------


def _score(score) -> int:
    if isinstance(score, bool) or not isinstance(score, int | str):
        raise ValidationError({"score": _("A score is a whole number from 1 to 5.")})
    try:
        value = int(score)
    except ValueError as exc:
        raise ValidationError({"score": _("A score is a whole number from 1 to 5.")}) from exc
    if not 1 <= value <= 5:
        raise ValidationError({"score": _("A score is from 1 to 5; %(score)s is outside.") % {"score": value}})
    return value


@transaction.atomic
def rate(user, product: Product, firm, score, comment: str = "", source: str = "") -> Rating:
    """The firm rates a product (after a delivery: `source` names it, and rates it once)."""
    value = _score(score)
    source = (source or "").strip()
    if source and Rating._base_manager.filter(source=source).exists():
        raise Conflict(_("This delivery (%(source)s) has already been rated.") % {"source": source})
    # Checked here rather than by the generic create: the product need not be on offer any more (a provider
    # suspended after delivering is still rated); the firm must be the user's own (`change` on it).
    decision = check(user, "add", Rating)
    if not decision:
        raise PermissionDenied(decision.reason)
    if not crud.referable(user, Rating, "firm").filter(pk=firm.pk).exists():
        raise ValidationError({"firm": _("No such firm in your scope.")})
    rating = Rating(product=product, firm=firm, score=value, comment=comment or "", source=source,
                    rated_by=as_db_user(user))
    rating.full_clean()
    with acting_for(user):
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError as exc:  # the same delivery rated concurrently
            raise Conflict(_("This delivery (%(source)s) has already been rated.") % {"source": source}) from exc
    _recount(product)
    return rating


def _recount(product: Product) -> None:
    """Add the latest rating to the product's aggregate under a row lock (concurrent ratings stay exact)."""
    locked = Product._base_manager.select_for_update().get(pk=product.pk)
    totals = Rating._base_manager.filter(product=locked).values_list("score", flat=True)
    scores = list(totals)
    count, total = len(scores), sum(scores)
    avg = (Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else None
    Product._base_manager.filter(pk=locked.pk).update(rating_count=count, rating_total=total, rating_avg=avg,
                                                      updated_at=F("updated_at"))
    product.rating_count, product.rating_total, product.rating_avg = count, total, avg


# --- the catalogue -----------------------------------------------------------------------------------


def search_products(user, q: str = "", category=None, region=None, price_min_fen=None, price_max_fen=None,
                    min_rating=None, programme=None, published_only: bool = True):
    """The catalogue `user` sees: published products of listed providers (or, with published_only=False,
    every product in the user's scope), filtered. `q` matches the name and category in Chinese, full
    pinyin or initials ("zhuanli", "zl"), and the provider's name."""
    qs = Product.objects.restrict(user, "view")
    if published_only:
        qs = qs.filter(Product.public_q())
    if q:
        words = q.strip().lower().split()
        for word in words:
            qs = qs.filter(Q(search__icontains=word) | Q(provider__organisation__search__icontains=word))
    if category:
        qs = qs.filter(category__code=category) if isinstance(category, str) else qs.filter(category=category)
    if region:
        region = region if isinstance(region, Region) else Region.objects.get(pk=region)
        within = Provider._base_manager.filter(region.subtree_q("organisation__region")
                                               | region.subtree_q("regions")).values("pk")
        qs = qs.filter(provider__in=within)
    if price_min_fen is not None:
        qs = qs.filter(price_fen__gte=price_min_fen)
    if price_max_fen is not None:
        qs = qs.filter(price_fen__lte=price_max_fen)
    if min_rating:
        qs = qs.filter(rating_avg__gte=Decimal(str(min_rating)))
    if programme:
        qs = qs.filter(programmes__code=programme)
    return qs.select_related("provider__organisation", "category")

