"""REST endpoints of the marketplace: categories, providers, qualifications, products, ratings.

Reads come from the CRUD kit (scoped lists with filters, detail, history); every write is a thin call of a
service in marketplace.services after `get_scoped` (403 without the role, 404 outside the scope).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import PatchDict, Router, Status

from fuhua.core import services as crud
from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.schemas import StepOut
from fuhua.core.services import referable
from fuhua.registry.models import Region

from . import schemas as s
from . import services
from .models import Product, ProgrammeCode, Provider, Qualification, Rating, ServiceCategory
from .workflow import PRODUCT_WORKFLOW, PROVIDER_WORKFLOW

CATEGORIES = Resource(ServiceCategory, s.CategoryOut, filters=s.CategoryFilters, ordering=("order", "code"),
                      search=None)
PROVIDERS = Resource(Provider, s.ProviderOut, filters=s.ProviderFilters,
                     ordering=("applied_on", "listed_on", "status", "created_at"),
                     select_related=("organisation",), prefetch_related=("categories", "regions"),
                     search=s.search_provider)
QUALIFICATIONS = Resource(Qualification, s.QualificationOut, filters=s.QualificationFilters,
                          ordering=("valid_until", "kind", "created_at"), search=None)
PRODUCTS = Resource(Product, s.ProductOut, filters=s.ProductFilters,
                    ordering=("price_fen", "rating_avg", "delivery_days", "published_on", "created_at"),
                    select_related=("provider__organisation", "category"),
                    prefetch_related=("programmes", "provider__qualifications"),
                    search=s.search_product)
RATINGS = Resource(Rating, s.RatingOut, filters=s.RatingFilters, ordering=("created_at", "score"),
                   select_related=("firm",), search=None)


def _describe(transition) -> dict:
    return {"name": transition.name, "label": str(transition.label), "target": str(transition.target),
            "needs_reason": transition.needs_reason}


def _step(workflow, name: str):
    if name not in workflow.transitions:
        raise Http404
    return name


def _regions(codes: list[str]) -> list[Region]:
    regions = list(Region.objects.filter(code__in=codes))
    if len(regions) != len(set(codes)):
        raise ValidationError({"regions": _("Unknown region codes: %(codes)s.") % {
            "codes": ", ".join(sorted(set(codes) - {r.code for r in regions}))}})
    return regions


def _programmes(codes: list[str]) -> list[ProgrammeCode]:
    found = list(ProgrammeCode.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise ValidationError({"programme_codes": _("Unknown voucher programmes: %(codes)s.") % {
            "codes": ", ".join(sorted(set(codes) - {p.code for p in found}))}})
    return found


def _transitions(r: Router, res: Resource, workflow, name: str, apply) -> None:
    @r.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
           **operation(f"{name}_transitions", "Steps the current user may take now"))
    def available(request, id: int):
        obj = get_scoped(res, request.auth_user, id)
        return [_describe(t) for t in workflow.available(request.auth_user, obj)]

    @r.post("/{id}/transitions/{name}", response={200: res.out, **WRITE_ERRORS},
            **operation(f"{name}_transition", f"Take a step: {', '.join(workflow.transitions)}"))
    def take(request, id: int, name: str, payload: s.MarketplaceStepIn):
        obj = get_scoped(res, request.auth_user, id, "change")
        apply(request.auth_user, obj, _step(workflow, name), reason=payload.reason)
        return res.queryset(request.auth_user, "view").get(pk=obj.pk)


def providers_router() -> Router:
    r = crud_router(PROVIDERS)

    @r.post("", response={201: s.ProviderOut, **WRITE_ERRORS},
            **operation("provider_apply", "Apply to be listed (by the organisation's credit code)",
                        description="A provider applies for its own organisation; a bureau may register a new "
                                    "one in its region (give name and region). Starts as `applied`."))
    def apply(request, payload: s.ProviderApplyIn):
        user = request.auth_user
        require(user, "add", Provider)
        data = payload.model_dump()
        region = None
        if data.pop("region"):
            region = Region.objects.filter(code=payload.region).first()
            if region is None:
                raise ValidationError({"region": _("Unknown region code %(code)s.") % {"code": payload.region}})
        categories = list(ServiceCategory.objects.filter(pk__in=data.pop("categories")))
        provider = services.apply_provider(user, region=region, categories=categories,
                                           regions=_regions(data.pop("regions")), **data)
        return Status(201, PROVIDERS.queryset(user, "view").get(pk=provider.pk))

    @r.patch("/{id}", response={200: s.ProviderOut, **WRITE_ERRORS},
             **operation("provider_update", "Change a provider's profile (categories, regions, contacts)"))
    def update(request, id: int, payload: PatchDict[s.ProviderChangeIn]):
        obj = get_scoped(PROVIDERS, request.auth_user, id, "change")
        data = dict(payload)
        if "regions" in data:
            data["regions"] = _regions(data["regions"])
        services.update_provider(request.auth_user, obj, data)
        return PROVIDERS.queryset(request.auth_user, "view").get(pk=obj.pk)

    _transitions(r, PROVIDERS, PROVIDER_WORKFLOW, "provider", services.transition_provider)
    return r


def qualifications_router() -> Router:
    r = crud_router(QUALIFICATIONS)

    @r.post("", response={201: s.QualificationOut, **WRITE_ERRORS},
            **operation("qualification_create", "Add a qualification (the certificate is uploaded on the page)"))
    def create(request, payload: s.QualificationIn):
        user = request.auth_user
        require(user, "add", Qualification)
        provider = referable(user, Qualification, "provider").filter(pk=payload.provider).first()
        if provider is None:
            raise ValidationError({"provider": _("No such service provider in your scope.")})
        data = payload.model_dump(exclude={"provider"})
        obj = services.add_qualification(user, provider, data)
        return Status(201, obj)

    @r.patch("/{id}", response={200: s.QualificationOut, **WRITE_ERRORS},
             **operation("qualification_update", "Change a qualification (renew: a later valid_until)"))
    def update(request, id: int, payload: PatchDict[s.QualificationIn]):
        obj = get_scoped(QUALIFICATIONS, request.auth_user, id, "change")
        data = dict(payload)
        if "provider" in data:
            data["provider"] = referable(request.auth_user, Qualification, "provider").filter(
                pk=data["provider"]).first()
            if data["provider"] is None:
                raise ValidationError({"provider": _("No such service provider in your scope.")})
        return services.update_qualification(request.auth_user, obj, data)

    @r.delete("/{id}", response={204: None, **WRITE_ERRORS},
              **operation("qualification_delete", "Delete a qualification"))
    def delete(request, id: int):
        obj = get_scoped(QUALIFICATIONS, request.auth_user, id, "delete")
        services.delete_qualification(request.auth_user, obj)
        return Status(204, None)

    return r


def _product_data(user, data: dict) -> dict:
    if "provider" in data:
        provider = referable(user, Product, "provider").filter(pk=data["provider"]).first()
        if provider is None:
            raise ValidationError({"provider": _("No such service provider in your scope.")})
        data["provider"] = provider
    if "category" in data:
        category = ServiceCategory.objects.filter(pk=data["category"]).first()
        if category is None:
            raise ValidationError({"category": _("No such service category.")})
        data["category"] = category
    if "programme_codes" in data:
        data["programmes"] = _programmes(data.pop("programme_codes"))
    return data


def products_router() -> Router:
    r = crud_router(PRODUCTS)

    @r.post("", response={201: s.ProductOut, **WRITE_ERRORS},
            **operation("product_create", "Add a product to a provider's catalogue (as a draft)"))
    def create(request, payload: s.ProductIn):
        user = request.auth_user
        require(user, "add", Product)
        data = _product_data(user, payload.model_dump())
        product = services.create_product(user, data.pop("provider"), data)
        return Status(201, PRODUCTS.queryset(user, "view").get(pk=product.pk))

    @r.patch("/{id}", response={200: s.ProductOut, **WRITE_ERRORS},
             **operation("product_update", "Change a product (name, price, delivery time, programmes…)"))
    def update(request, id: int, payload: PatchDict[s.ProductIn]):
        obj = get_scoped(PRODUCTS, request.auth_user, id, "change")
        data = _product_data(request.auth_user, dict(payload))
        services.update_product(request.auth_user, obj, data)
        return PRODUCTS.queryset(request.auth_user, "view").get(pk=obj.pk)

    @r.delete("/{id}", response={204: None, **WRITE_ERRORS}, **operation("product_delete", "Delete a product"))
    def delete(request, id: int):
        obj = get_scoped(PRODUCTS, request.auth_user, id, "delete")
        crud.delete_object(request.auth_user, obj)
        return Status(204, None)

    _transitions(r, PRODUCTS, PRODUCT_WORKFLOW, "product", services.transition_product)
    return r


def routers() -> dict[str, Router]:
    """URL prefix → router; api.py mounts each under /api/v1/<prefix>."""
    return {"service-categories": crud_router(CATEGORIES), "providers": providers_router(),
            "qualifications": qualifications_router(), "products": products_router(),
            # Ratings are read here; they are written by the vouchers app after an accepted delivery (services.rate).
            "ratings": crud_router(RATINGS)}
