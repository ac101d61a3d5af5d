"""Demo marketplace: the registry's service providers of Suzhou and Nanjing listed (a few applying, one
suspended, one with an expired qualification), their qualifications, a catalogue of ~100 products from
data/demo_catalogue.yaml (a few awaiting approval, one returned), and firms' ratings.

The demo account `provider` (the first service provider of Suzhou) is listed with its catalogue, one product
returned by the bureau and a qualification running out within 30 days; `bureau_sz` finds providers and
products to review. Everything goes through the services as the system, dated around the demo's today.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import yaml

from fuhua.core import services as crud
from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.core.system import SYSTEM
from fuhua.core.validators import credit_code_check_char
from fuhua.registry.models import Firm, Organisation, Region

from . import services
from .categories import load_categories
from .models import ApprovalSetting, Provider, QualificationKind, ServiceCategory

CATALOGUE = Path(__file__).resolve().parent / "data" / "demo_catalogue.yaml"
SUZHOU, NANJING = "320500", "320100"

# The registry's provider names end in one of these (registry/data/name_parts.json provider_suffixes).
BY_SUFFIX = {
    "知识产权代理有限公司": ("ip_agency", "legal"),
    "检测技术有限公司": ("testing", "certification", "standards"),
    "企业管理咨询有限公司": ("consulting", "certification", "incubation"),
    "财税咨询有限公司": ("accounting_tax", "tech_finance"),
    "技术转移服务有限公司": ("tech_transfer", "rd_design"),
    "人力资源服务有限公司": ("hr",),
    "法律咨询服务有限公司": ("legal", "ip_agency"),
}
FALLBACK = ("consulting", "incubation")
QUALIFICATION = {
    "ip_agency": (QualificationKind.PATENT_AGENCY, "国家知识产权局"),
    "testing": (QualificationKind.CMA, "江苏省市场监督管理局"),
    "consulting": (QualificationKind.OTHER, "苏州市行政审批局"),
    "accounting_tax": (QualificationKind.ACCOUNTING, "江苏省财政厅"),
    "tech_transfer": (QualificationKind.TECH_TRANSFER, "江苏省科学技术厅"),
    "hr": (QualificationKind.HR_SERVICE, "苏州市人力资源和社会保障局"),
    "legal": (QualificationKind.LAW_FIRM, "江苏省司法厅"),
}
COMMENTS = ["响应及时，专业度高", "材料准备很细致", "交付准时，沟通顺畅", "价格合理，服务到位", "整体满意",
            "比预期多花了几天", "顾问经验丰富，建议很实用", ""]
CONTACTS = [("王芳", "0512-6688"), ("李强", "0512-6255"), ("张敏", "0512-6799"), ("陈静", "025-8366"),
            ("刘洋", "025-8471"), ("赵磊", "0512-6532")]


def _categories_of(name: str) -> tuple[str, ...]:
    return next((cats for suffix, cats in BY_SUFFIX.items() if name.endswith(suffix)), FALLBACK)


BRANDS = ["恒信", "智汇", "博创", "中研", "华测", "同创", "汇德", "启明", "瑞科", "正则", "德勤华", "东吴"]


def _providers(code: str, n: int, rng: random.Random) -> list[Organisation]:
    """The registry's service providers of the city (the first is the demo account's), completed to `n` with
    new ones where a small demo has fewer."""
    found = list(Organisation.objects.filter(kind="service_provider", region__code__startswith=code[:4])
                 .order_by("id")[:n])
    region = Region.objects.filter(code=code).first()
    city = region.name.removesuffix("市") if region else ""
    suffixes = list(BY_SUFFIX)
    serial = 0
    while region is not None and len(found) < n:
        serial += 1
        body = f"91{code}{serial + 700_000_000:09d}"
        credit_code = body + credit_code_check_char(body)
        name = f"{city}{BRANDS[(len(found) + serial) % len(BRANDS)]}{suffixes[len(found) % len(suffixes)]}"
        if Organisation.objects.filter(credit_code=credit_code).exists() or Organisation.objects.filter(
                name=name).exists():
            continue
        found.append(crud.create_object(SYSTEM, Organisation, {
            "name": name, "credit_code": credit_code, "kind": "service_provider", "region": region,
            "founded": datetime.date(2010 + rng.randint(0, 12), rng.randint(1, 12), 1)}))
    return found


def _apply(org: Organisation, categories: dict, rng: random.Random, today: datetime.date, n: int) -> Provider:
    codes = _categories_of(org.name)
    name, phone = CONTACTS[n % len(CONTACTS)]
    provider = services.apply_provider(
        SYSTEM, credit_code=org.credit_code, categories=[categories[c] for c in codes if c in categories],
        regions=[org.region.parent if org.region.level == "county" and org.region.parent else org.region],
        contact_name=name, contact_phone=f"{phone}{rng.randint(1000, 9999)}",
        contact_email=f"service{n:02d}@example.cn", introduction=f"{org.name}，专注{categories[codes[0]].name}等服务。",
        on=today - datetime.timedelta(days=rng.randint(200, 900)))
    kind, issuer = QUALIFICATION.get(codes[0], (QualificationKind.OTHER, "市场监督管理局"))
    services.add_qualification(SYSTEM, provider, {
        "kind": kind, "number": f"{kind[:2].upper()}{org.region_id}{n:04d}", "issuer": issuer,
        "valid_from": today - datetime.timedelta(days=rng.randint(400, 1400)),
        "valid_until": today + datetime.timedelta(days=rng.randint(180, 1200))})
    return provider


def _price(yuan: int, rng: random.Random) -> int:
    """±25% of the template's price, rounded to 50 元 (100 元 above 2,000), in fen."""
    value = yuan * rng.uniform(0.75, 1.25)
    step = 100 if value >= 2000 else 50
    return max(step, round(value / step) * step) * 100


def _catalogue(provider: Provider, templates: dict, rng: random.Random) -> list:
    rows = [(code, t) for code in _categories_of(provider.organisation.name) for t in templates.get(code, [])]
    rng.shuffle(rows)
    products = []
    for code, t in rows[: rng.randint(5, 9)]:
        products.append(services.create_product(SYSTEM, provider, {
            "category": ServiceCategory.objects.get(code=code), "name": t["name"], "description": t["description"],
            "price_fen": _price(t["price"], rng), "unit": t["unit"], "delivery_days": t["days"]}))
    return products


def _offer(product, today: datetime.date, rng: random.Random, approval: bool, hold: bool) -> None:
    """Publish (through approval where it is required) about 95%; leave some drafts, and `hold` awaiting approval."""
    roll = rng.random()
    if roll < 0.05 and not hold:
        return  # a draft
    if approval and hold:  # awaiting the bureau
        services.transition_product(SYSTEM, product, "submit", on=today - datetime.timedelta(days=rng.randint(1, 9)))
        return
    published = today - datetime.timedelta(days=rng.randint(0, 90))
    if approval:
        submitted = published - datetime.timedelta(days=rng.randint(1, 7))
        services.transition_product(SYSTEM, product, "submit", on=submitted)
        services.transition_product(SYSTEM, product, "approve", on=published)
    else:
        services.transition_product(SYSTEM, product, "publish", on=published)


def _ratings(products: list, firms: list, rng: random.Random) -> int:
    n = 0
    for product in products:
        if product.status != "published" or not firms:
            continue
        for i in range(rng.choice((0, 0, 1, 2, 3, 4, 6))):
            score = rng.choices((5, 4, 3, 2, 1), weights=(50, 32, 11, 5, 2))[0]
            services.rate(SYSTEM, product, rng.choice(firms), score, rng.choice(COMMENTS),
                          source=f"demo:{product.pk}:{i}")
            n += 1
    return n


def load_marketplace(run: DemoRun) -> None:
    rng, today = random.Random(20260312), run.today  # noqa: S311  (demo data, reproducible)
    templates = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    with acting_as(None, source="demo"):
        load_categories(ServiceCategory)
        categories = {c.code: c for c in ServiceCategory.objects.all()}
        suzhou, nanjing = _providers(SUZHOU, 14, rng), _providers(NANJING, 5, rng)
        run.begin(len(suzhou) + len(nanjing))
        nj = Region.objects.filter(code=NANJING).first()
        if nj is not None:  # Nanjing publishes without approval; Suzhou keeps the default (approval required)
            ApprovalSetting.objects.get_or_create(region=nj, defaults={"products_need_approval": False})
        firms = list(Firm.objects.filter(region__code__startswith=SUZHOU[:4]).order_by("id")[:200])
        firms_nj = list(Firm.objects.filter(region__code__startswith=NANJING[:4]).order_by("id")[:100])
        listed = products = ratings = 0
        for n, org in enumerate([*suzhou, *nanjing]):
            if Provider.objects.filter(organisation=org).exists():
                run.advance()
                continue
            provider = _apply(org, categories, rng, today, n)
            in_suzhou = org in suzhou
            last = n == len(suzhou) - 1 or n == len(suzhou) - 2
            if in_suzhou and last and n > 0:  # two applications for bureau_sz to review
                _catalogue(provider, templates, rng)
                run.advance()
                continue
            services.transition_provider(SYSTEM, provider, "list", on=today - datetime.timedelta(
                days=rng.randint(60, 700)))
            listed += 1
            items = _catalogue(provider, templates, rng)
            for i, product in enumerate(items):  # a product of every third Suzhou provider awaits approval
                _offer(product, today, rng, approval=in_suzhou, hold=in_suzhou and i == 0 and n % 3 == 1)
            products += len(items)
            ratings += _ratings(items, firms if in_suzhou else firms_nj, rng)
            if n == 0:  # the demo account's provider: a product returned, a qualification running out
                _demo_account(provider, items, today)
            elif in_suzhou and n == 3:
                services.transition_provider(SYSTEM, provider, "suspend", on=today - datetime.timedelta(days=12),
                                             reason="投诉核查期间暂停服务（服务合同纠纷待处理）")
            elif in_suzhou and n == 4:
                qualification = provider.qualifications.first()
                services.update_qualification(SYSTEM, qualification,
                                              {"valid_until": today - datetime.timedelta(days=9)})
            run.advance()
        services.flag_expired_qualifications(SYSTEM, on=today)
    run.note(f"marketplace: {listed} providers listed, {products} products, {ratings} ratings")


def _demo_account(provider: Provider, items: list, today: datetime.date) -> None:
    services.update_qualification(SYSTEM, provider.qualifications.first(),
                                  {"valid_until": today + datetime.timedelta(days=20)})
    pending = [p for p in items if p.status == "pending"]
    product = pending[0] if pending else services.create_product(SYSTEM, provider, {
        "category": items[0].category, "name": "知识产权托管服务（年度）",
        "description": "专利年费监控、到期提醒与维持", "price_fen": 1_200_000, "unit": "年", "delivery_days": 365})
    if product.status == "draft":
        services.transition_product(SYSTEM, product, "submit", on=today - datetime.timedelta(days=6))
    services.transition_product(SYSTEM, product, "reject", on=today - datetime.timedelta(days=2),
                                reason="价格构成未列明，请补充服务内容明细后重新提交")
