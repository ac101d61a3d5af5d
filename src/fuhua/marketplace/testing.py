"""Test helpers of the marketplace: a listed provider in each city with a qualification, products and ratings,
on top of `fuhua.testing.world`; and the rows the generated scope tests read (SCOPE_RESOURCES, SCOPE_WEB_NAMES).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from fuhua import testing
from fuhua.core.system import SYSTEM

from . import services
from .categories import load_categories
from .models import Product, Provider, ServiceCategory

D = datetime.date


def category(code: str = "ip_agency") -> ServiceCategory:
    """A category from the data file (a transactional test may have flushed the migration's rows)."""
    if not ServiceCategory.objects.filter(code=code).exists():
        load_categories(ServiceCategory)
    return ServiceCategory.objects.get(code=code)


def provider(organisation, *, categories=("ip_agency",), regions=(), listed: bool = True,
             valid_until: D | None = None) -> Provider:
    """A provider of `organisation` (applied through the service as the system), listed by default, with one
    qualification valid until `valid_until` (default: in two years)."""
    cats = [category(c) for c in categories]
    p = services.apply_provider(SYSTEM, credit_code=organisation.credit_code, categories=cats,
                                regions=list(regions) or [organisation.region], contact_name="王芳",
                                contact_phone="0512-66668888")
    services.add_qualification(SYSTEM, p, {
        "kind": "patent_agency", "number": f"ZL-{organisation.pk:05d}", "issuer": "国家知识产权局",
        "valid_from": D(2022, 1, 1),
        "valid_until": valid_until or timezone.localdate() + datetime.timedelta(days=730)})
    if listed:
        services.transition_provider(SYSTEM, p, "list")
    return p


def product(provider_obj, name: str = "发明专利申请代理", *, price_fen: int = 600_000, code: str = "ip_agency",
            publish: bool = True, **fields) -> Product:
    p = services.create_product(SYSTEM, provider_obj, {"category": category(code), "name": name,
                                                       "price_fen": price_fen, "delivery_days": 30, **fields})
    if publish:
        services.transition_product(SYSTEM, p, "submit")
        services.transition_product(SYSTEM, p, "approve")
    return p


def marketplace_world(world) -> SimpleNamespace:
    """Built once per world: a listed provider in Suzhou (the world's provider organisation, the `provider`
    user's) and one in Nanjing, a published product of each, a draft in Suzhou, a rating by each city's firm."""
    cached = getattr(world, "_marketplace", None)
    if cached is not None:
        return cached
    org_b = testing.organisation("南京专利事务所有限公司", world.regions.nj, kind="service_provider")
    provider_a = provider(world.provider)
    provider_b = provider(org_b)
    product_a = product(provider_a, "发明专利申请代理")
    product_b = product(provider_b, "实用新型专利申请", price_fen=300_000)
    draft_a = product(provider_a, "商标注册代理", price_fen=150_000, publish=False)
    rating_a = services.rate(SYSTEM, product_a, world.firm_a, 5, "专业高效", source="test:a")
    rating_b = services.rate(SYSTEM, product_b, world.firm_b, 4, "", source="test:b")
    out = SimpleNamespace(org_b=org_b, provider_a=provider_a, provider_b=provider_b, product_a=product_a,
                          product_b=product_b, draft_a=draft_a, rating_a=rating_a, rating_b=rating_b,
                          qualification_a=provider_a.qualifications.first(),
                          qualification_b=provider_b.qualifications.first())
    world._marketplace = out
    return out


def _m(world) -> SimpleNamespace:
    return marketplace_world(world)


SCOPE_RESOURCES = {
    "service-categories": (lambda w: [category("ip_agency"), category("testing")], {}),
    "providers": (lambda w: [_m(w).provider_a, _m(w).provider_b], {"contact_name": "李雷"}),
    "qualifications": (lambda w: [_m(w).qualification_a, _m(w).qualification_b], {"issuer": "江苏省知识产权局"}),
    "products": (lambda w: [_m(w).product_a, _m(w).product_b, _m(w).draft_a], {"delivery_days": 20}),
    "ratings": (lambda w: [_m(w).rating_a, _m(w).rating_b], {}),
}
SCOPE_WEB_NAMES = {
    "marketplace:servicecategory": "service-categories",
    "marketplace:category": "service-categories",
    "marketplace:provider": "providers",
    "marketplace:qualification": "qualifications",
    "marketplace:product": "products",
    "marketplace:rating": "ratings",
}


def audit_factories() -> dict[str, tuple]:
    """label → (create(world) of a new unreferenced instance, a change), for core/tests/test_audit.py."""
    from .models import ApprovalSetting, ProgrammeCode, Qualification, Rating

    def new_provider(w):
        org = testing.organisation("审计服务机构有限公司", w.regions.sz, kind="service_provider")
        return Provider.objects.create(organisation=org, contact_name="王芳", contact_phone="0512-1")

    def new_product(w):
        return Product.objects.create(provider=_m(w).provider_a, category=category(), name="审计测试产品",
                                      price_fen=100_000, delivery_days=5)

    return {
        "marketplace.servicecategory": (lambda w: ServiceCategory.objects.create(code="audit_cat", name="审计类别"),
                                        {"name": "审计类别二"}),
        "marketplace.programmecode": (lambda w: ProgrammeCode.objects.create(code="audit-prog", name="审计券"),
                                      {"name": "审计券二"}),
        "marketplace.provider": (new_provider, {"contact_name": "李雷"}),
        "marketplace.qualification": (
            lambda w: Qualification.objects.create(provider=_m(w).provider_a, kind="other", number="AUD-1",
                                                   issuer="审计局", valid_until=D(2030, 1, 1)),
            {"issuer": "审计二局"}),
        "marketplace.product": (new_product, {"delivery_days": 7}),
        "marketplace.rating": (
            lambda w: Rating.objects.create(product=_m(w).product_a, firm=w.firm_a, score=4, source="audit:1"),
            {"comment": "补充评价"}),
        "marketplace.approvalsetting": (
            lambda w: ApprovalSetting.objects.create(region=w.regions.nj, products_need_approval=False),
            {"products_need_approval": True}),
    }
