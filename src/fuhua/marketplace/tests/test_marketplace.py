"""The service marketplace: listing providers, qualifications, the catalogue, approval, search, ratings,
scope, pages, inbox and commands."""

import datetime
import json

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fuhua.core.audit import audited_models
from fuhua.core.context import acting_as
from fuhua.core.exceptions import Conflict
from fuhua.core.inbox import inbox
from fuhua.core.models import ObjectChange
from fuhua.core.system import SYSTEM
from fuhua.marketplace import services, views
from fuhua.marketplace.cli import marketplace as marketplace_cli
from fuhua.marketplace.models import ApprovalSetting, Product, Provider, Rating
from fuhua.marketplace.tasks import flag_expired
from fuhua.marketplace.testing import audit_factories, category, marketplace_world, product, provider
from fuhua.testing import api_client, credit_code, organisation, web_client


def today():
    """Beijing's date when asked: a module-level constant goes stale when a run crosses midnight."""
    return timezone.localdate()


@pytest.fixture
def m(world):
    return marketplace_world(world)


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def fields(response) -> set:
    return {e["field"] for e in response.json()["errors"]}


# --- providers --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_application_with_an_invalid_credit_code_is_refused_naming_the_field(world):
    bad = credit_code("320500")[:-1] + ("0" if credit_code("320500")[-1] != "0" else "1")
    with pytest.raises(ValidationError) as refused:
        services.apply_provider(world.users.provider, credit_code=bad, categories=[category()],
                                contact_name="王芳", contact_phone="0512-1")
    assert set(refused.value.message_dict) == {"credit_code"}
    response = post(api_client(world.users.provider), "/api/v1/providers", {
        "credit_code": "91320500ABC", "categories": [category().pk], "contact_name": "王芳",
        "contact_phone": "0512-1"})
    assert response.status_code == 422
    assert fields(response) == {"credit_code"}
    assert not Provider.objects.exists()


@pytest.mark.django_db
def test_a_provider_applies_for_its_own_organisation_and_the_bureau_of_its_region_lists_it(world):
    client = api_client(world.users.provider)
    response = post(client, "/api/v1/providers", {
        "credit_code": world.provider.credit_code, "categories": [category().pk, category("legal").pk],
        "regions": ["320500"], "contact_name": "王芳", "contact_phone": "0512-66668888"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["name"], body["categories"], body["applied_on"]) == (
        "applied", "苏州知识产权服务有限公司", ["ip_agency", "legal"], today().isoformat())
    pk = body["id"]
    # Someone else's organisation cannot be applied for; nor the same one twice.
    other = post(client, "/api/v1/providers", {"credit_code": world.op_a.credit_code, "categories": [category().pk],
                                               "contact_name": "王芳", "contact_phone": "1"})
    assert (other.status_code, fields(other)) == (422, {"credit_code"})
    again = post(client, "/api/v1/providers", {"credit_code": world.provider.credit_code, "categories": [category().pk],
                                               "contact_name": "王", "contact_phone": "1"})
    assert again.status_code == 409
    # The provider cannot list itself; Nanjing's bureau does not see it; Suzhou's lists it.
    assert post(client, f"/api/v1/providers/{pk}/transitions/list", {}).status_code == 403
    assert post(api_client(world.users.bureau_nj), f"/api/v1/providers/{pk}/transitions/list", {}).status_code == 404
    listed = post(api_client(world.users.bureau_sz), f"/api/v1/providers/{pk}/transitions/list", {})
    assert (listed.status_code, listed.json()["status"], listed.json()["listed_on"]) == (
        200, "listed", today().isoformat())
    # Suspending needs a reason; delisting is final.
    bureau = api_client(world.users.bureau_sz)
    assert post(bureau, f"/api/v1/providers/{pk}/transitions/suspend", {"reason": " "}).status_code == 422
    assert post(bureau, f"/api/v1/providers/{pk}/transitions/delist", {"reason": "资质撤销"}).json()["status"] == \
        "delisted"
    assert post(bureau, f"/api/v1/providers/{pk}/transitions/reinstate", {"reason": "x"}).status_code == 409


@pytest.mark.django_db
def test_a_suspended_providers_products_are_not_orderable(world, m):
    assert services.is_orderable(m.product_a)
    services.transition_provider(world.users.bureau_sz, m.provider_a, "suspend", reason="投诉核查")
    m.product_a.refresh_from_db()
    decision = services.is_orderable(Product.objects.get(pk=m.product_a.pk))
    assert (decision.allowed, decision.code) == (False, "conflict")
    assert "暂停" in decision.reason or "suspended" in decision.reason
    # Nor can the provider offer new products while suspended, and firms no longer see its catalogue.
    draft = Product.objects.get(pk=m.draft_a.pk)
    assert not services.PRODUCT_WORKFLOW.can(world.users.provider, draft, "submit")
    assert not Product.objects.restrict(world.users.firm_b, "view").filter(pk=m.product_a.pk).exists()


@pytest.mark.django_db
def test_an_expired_qualification_is_flagged_and_blocks_orders_until_renewed(world, m):
    q = m.qualification_a
    services.update_qualification(world.users.provider, q, {"valid_until": today() - datetime.timedelta(days=1)})
    m.provider_a.refresh_from_db()
    assert m.provider_a.qualification_expired is True  # at once, on the change
    assert not services.is_orderable(Product.objects.get(pk=m.product_a.pk))
    Provider.objects.filter(pk=m.provider_a.pk).update(qualification_expired=False)
    assert flag_expired.call() == 1  # the daily task flags it again
    assert Provider.objects.get(pk=m.provider_a.pk).qualification_expired is True
    assert expiring_count(world.users.bureau_sz) == 1 and expiring_count(world.users.bureau_nj) == 0
    services.update_qualification(world.users.provider, q, {"valid_until": today() + datetime.timedelta(days=400)})
    assert Provider.objects.get(pk=m.provider_a.pk).qualification_expired is False
    assert services.is_orderable(Product.objects.get(pk=m.product_a.pk))


def expiring_count(user) -> int:
    return services.expiring_qualifications(user).count()


# --- products ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_products_are_approved_by_the_bureau_where_approval_is_required(world, m):
    provider_user, bureau = world.users.provider, world.users.bureau_sz
    draft = Product.objects.get(pk=m.draft_a.pk)
    assert not services.PRODUCT_WORKFLOW.can(provider_user, draft, "publish")  # Suzhou requires approval
    services.transition_product(provider_user, draft, "submit")
    assert (draft.status, draft.submitted_on) == ("pending", today())
    with pytest.raises(PermissionDenied):
        services.transition_product(provider_user, draft, "approve")
    with pytest.raises(ValidationError):
        services.transition_product(bureau, draft, "reject", reason="")
    services.transition_product(bureau, draft, "reject", reason="价格构成未列明")
    assert (draft.status, draft.status_reason) == ("rejected", "价格构成未列明")
    services.transition_product(provider_user, draft, "revise")
    services.transition_product(provider_user, draft, "submit")
    services.transition_product(bureau, draft, "approve")
    assert (draft.status, draft.published_on) == ("published", today())
    # Where the bureau turns approval off, the provider publishes a draft directly.
    ApprovalSetting.objects.create(region=world.regions.sz, products_need_approval=False)
    new = product(m.provider_a, "商标续展代理", publish=False)
    assert not services.PRODUCT_WORKFLOW.can(provider_user, new, "submit")
    services.transition_product(provider_user, new, "publish")
    assert new.status == "published"


@pytest.mark.django_db
def test_a_provider_cannot_see_or_change_another_providers_products(world, m):
    client = api_client(world.users.provider)
    response = client.patch(f"/api/v1/products/{m.product_b.pk}", data=json.dumps({"price_fen": 1}),
                            content_type="application/json")
    assert response.status_code == 404
    assert post(client, f"/api/v1/products/{m.product_b.pk}/transitions/withdraw", {"reason": "x"}).status_code == 404
    # Nor create one in its name.
    create = post(client, "/api/v1/products", {"provider": m.provider_b.pk, "category": category().pk,
                                               "name": "冒名产品", "price_fen": 100, "delivery_days": 3})
    assert (create.status_code, fields(create)) == (422, {"provider"})
    assert Product.objects.get(pk=m.product_b.pk).price_fen == 300_000
    # Its own, it changes.
    own = client.patch(f"/api/v1/products/{m.product_a.pk}", data=json.dumps({"price_fen": 650_000}),
                       content_type="application/json")
    assert (own.status_code, own.json()["price_fen"]) == (200, 650_000)
    # The web edit page answers the same.
    assert web_client(world.users.provider).get(
        reverse("marketplace:product_edit", kwargs={"pk": m.product_b.pk})).status_code == 404


@pytest.mark.django_db
def test_firms_and_operators_see_the_public_catalogue_only(world, m):
    for user in (world.users.firm_a, world.users.firm_b, world.users.operator_b):
        visible = set(Product.objects.restrict(user, "view").values_list("pk", flat=True))
        assert visible == {m.product_a.pk, m.product_b.pk}, user
    assert set(Product.objects.restrict(world.users.bureau_nj, "view").values_list("pk", flat=True)) == {
        m.product_b.pk}
    assert set(Product.objects.restrict(world.users.provider, "view").values_list("pk", flat=True)) == {
        m.product_a.pk, m.draft_a.pk}
    assert not Product.objects.restrict(world.users.mentor_a, "view").exists()


@pytest.mark.django_db
def test_the_catalogue_is_searched_in_chinese_pinyin_and_initials(world, m):
    firm = world.users.firm_b
    for q in ("专利", "zhuanli", "fmzl", "FaMing"):
        found = set(services.search_products(firm, q).values_list("pk", flat=True))
        expected = {m.product_a.pk} if q in ("fmzl", "FaMing") else {m.product_a.pk, m.product_b.pk}
        assert found == expected, q
    assert set(services.search_products(firm, "nanjing").values_list("pk", flat=True)) == {m.product_b.pk}
    assert set(services.search_products(firm, price_max_fen=400_000).values_list("pk", flat=True)) == {
        m.product_b.pk}
    assert set(services.search_products(firm, region=world.regions.sz).values_list("pk", flat=True)) == {
        m.product_a.pk}
    assert set(services.search_products(firm, min_rating=5).values_list("pk", flat=True)) == {m.product_a.pk}
    body = api_client(firm).get("/api/v1/products", {"q": "shiyongxinxing", "catalogue": "true"}).json()
    assert [p["id"] for p in body["items"]] == [m.product_b.pk]
    page = web_client(firm).get(reverse("marketplace:catalogue"), {"q": "zhuanli", "price_max": "5000"})
    assert page.status_code == 200
    assert "实用新型专利申请" in page.content.decode() and "发明专利申请代理" not in page.content.decode()


# --- ratings ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, 6, -1, "x", True])
def test_a_score_outside_1_to_5_is_refused(world, m, score):
    with pytest.raises(ValidationError) as refused:
        services.rate(world.users.firm_a, m.product_a, world.firm_a, score, source="order:9")
    assert set(refused.value.message_dict) == {"score"}
    assert Rating.objects.filter(source="order:9").count() == 0


@pytest.mark.django_db
def test_a_delivery_is_rated_once_and_the_average_follows(world, m):
    firm = world.users.firm_a
    services.rate(firm, m.product_a, world.firm_a, 2, "慢了", source="vouchers.order:1")
    with pytest.raises(Conflict):
        services.rate(firm, m.product_a, world.firm_a, 5, source="vouchers.order:1")
    product_a = Product.objects.get(pk=m.product_a.pk)
    assert (product_a.rating_count, str(product_a.rating_avg)) == (2, "3.50")  # 5 (world) and 2
    # A firm rates only as itself.
    with pytest.raises(ValidationError) as refused:
        services.rate(firm, m.product_a, world.firm_b, 4, source="vouchers.order:2")
    assert set(refused.value.message_dict) == {"firm"}
    # What was delivered is rated even if the provider has been suspended since.
    services.transition_provider(SYSTEM, m.provider_a, "suspend", reason="投诉核查")
    rating = services.rate(firm, Product.objects.get(pk=m.product_a.pk), world.firm_a, 5, source="vouchers.order:3")
    assert (rating.rated_by, Product.objects.get(pk=m.product_a.pk).rating_count) == (firm, 3)


# --- pages, inbox, commands -------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_for_each_role(world, m):
    bureau = web_client(world.users.bureau_sz)
    page = bureau.get(reverse("marketplace:provider_detail", kwargs={"pk": m.provider_a.pk})).content.decode()
    assert 'data-transition="delist"' in page and "data-confirm" in page and "发明专利申请代理" in page
    response = bureau.post(reverse("marketplace:provider_transition", kwargs={"pk": m.provider_a.pk}),
                           {"transition": "suspend", "reason": ""})
    assert response.status_code == 400
    response = bureau.post(reverse("marketplace:provider_transition", kwargs={"pk": m.provider_a.pk}),
                           {"transition": "suspend", "reason": "投诉核查"})
    assert response.status_code == 302
    assert Provider.objects.get(pk=m.provider_a.pk).status == "suspended"
    export = bureau.get(reverse("marketplace:provider_list"), {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    firm = web_client(world.users.firm_b)
    detail = firm.get(reverse("marketplace:product_detail", kwargs={"pk": m.product_b.pk})).content.decode()
    assert "★★★★☆" in detail and 'data-transition=' not in detail
    assert firm.get(reverse("marketplace:product_detail", kwargs={"pk": m.draft_a.pk})).status_code == 404
    provider_page = web_client(world.users.provider)
    assert provider_page.get(reverse("marketplace:product_create")).status_code == 200
    assert provider_page.get(reverse("marketplace:qualification_create"), {"provider": m.provider_a.pk}
                             ).status_code == 200


@pytest.mark.django_db
def test_inbox_items(world, m):
    services.transition_product(world.users.provider, Product.objects.get(pk=m.draft_a.pk), "submit")
    organisation_c = organisation("苏州检测认证有限公司", world.regions.sz, kind="service_provider")
    provider(organisation_c, listed=False, valid_until=today() + datetime.timedelta(days=10))
    keys = {e.key: e.count for e in inbox(world.users.bureau_sz, {"bureau"}, today())}
    assert (keys["marketplace.providers_applied"], keys["marketplace.products_pending"],
            keys["marketplace.qualifications_expiring"]) == (1, 1, 1)
    assert "marketplace.providers_applied" not in {e.key for e in inbox(world.users.bureau_nj, {"bureau"}, today())}
    services.transition_product(world.users.bureau_sz, Product.objects.get(pk=m.draft_a.pk), "reject", reason="补充")
    own = {e.key: e.count for e in inbox(world.users.provider, {"service_provider"}, today())
           if e.key.startswith("marketplace.")}
    assert own == {"marketplace.products_rejected": 1}


@pytest.mark.django_db
def test_commands(world, m):
    runner = CliRunner()
    result = runner.invoke(marketplace_cli, ["providers", "--user", "bureau_nj"])
    assert result.exit_code == 0, result.output
    assert "南京专利事务所有限公司" in result.output and "苏州知识产权" not in result.output
    assert result.output.strip().endswith("1 provider(s)")
    result = runner.invoke(marketplace_cli, ["categories"])
    assert "ip_agency" in result.output and "知识产权代理" in result.output
    services.update_qualification(SYSTEM, m.qualification_b, {"valid_until": today() - datetime.timedelta(days=3)})
    Provider.objects.filter(pk=m.provider_b.pk).update(qualification_expired=False)
    result = runner.invoke(marketplace_cli, ["flag-expired", "--user", "bureau_sz"])  # not Nanjing's
    assert result.output.strip() == "0 provider(s) changed"
    result = runner.invoke(marketplace_cli, ["flag-expired"])
    assert result.output.strip() == "1 provider(s) changed"
    result = runner.invoke(marketplace_cli, ["approval", "--user", "bureau_nj", "320500", "off"])
    assert result.exit_code == 1
    result = runner.invoke(marketplace_cli, ["approval", "--user", "bureau_sz", "320500", "off"])
    assert result.exit_code == 0, result.output
    assert ApprovalSetting.objects.get(region=world.regions.sz).products_need_approval is False


@pytest.mark.django_db
def test_products_name_the_voucher_programmes_that_accept_them(world, m):
    services.register_programme("hefei-hechuang-1", "合创券第一批")
    client = api_client(world.users.provider)
    body = {"provider": m.provider_a.pk, "category": category("testing").pk, "name": "EMC预测试", "price_fen": 500_000,
            "delivery_days": 10, "programme_codes": ["hefei-hechuang-1"]}
    response = post(client, "/api/v1/products", body)
    assert (response.status_code, response.json()["programmes"], response.json()["status"]) == (
        201, ["hefei-hechuang-1"], "draft")
    unknown = post(client, "/api/v1/products", {**body, "programme_codes": ["no-such"]})
    assert (unknown.status_code, fields(unknown)) == (422, {"programme_codes"})
    created = Product.objects.get(pk=response.json()["id"])
    assert services.accepts_programme(created, "hefei-hechuang-1")
    assert not services.products_for_programme(world.users.firm_a, "hefei-hechuang-1").exists()  # a draft
    services.transition_product(world.users.provider, created, "submit")
    services.transition_product(world.users.bureau_sz, created, "approve")
    assert list(services.products_for_programme(world.users.firm_b, "hefei-hechuang-1")) == [created]


@pytest.mark.django_db
def test_a_certificate_is_uploaded_within_its_cap_and_downloaded_by_readers(world, m, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = web_client(world.users.provider)
    url = reverse("marketplace:qualification_create")
    form = {"provider": m.provider_a.pk, "kind": "cma", "number": "CMA-2026-01", "issuer": "江苏省市场监督管理局",
            "valid_until": (today() + datetime.timedelta(days=365)).isoformat()}
    monkeypatch.setattr(views, "MAX_UPLOAD_BYTES", 1000)
    big = client.post(url, {**form, "attachment": SimpleUploadedFile("cma.pdf", b"%PDF" + b"0" * 2000)})
    assert big.status_code == 400 and "1000 B" in big.content.decode()
    wrong = client.post(url, {**form, "attachment": SimpleUploadedFile("cma.exe", b"MZ")})
    assert wrong.status_code == 400
    assert not m.provider_a.qualifications.filter(number="CMA-2026-01").exists()
    ok = client.post(url, {**form, "attachment": SimpleUploadedFile("cma.pdf", b"%PDF-1.4 small")})
    assert ok.status_code == 302, ok.content.decode()[:2000]
    q = m.provider_a.qualifications.get(number="CMA-2026-01")
    file_url = reverse("marketplace:qualification_file", kwargs={"pk": q.pk})
    download = web_client(world.users.firm_b).get(file_url)  # a listed provider's certificate is public
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 small"
    assert web_client(world.users.mentor_a).get(file_url).status_code == 403


@pytest.mark.django_db
def test_every_marketplace_model_is_audited_with_its_factory(world):
    """The factories core/tests/test_audit.py needs (marketplace.testing.audit_factories) record each change."""
    factories = audit_factories()
    assert set(factories) == {m._meta.label_lower for m in audited_models() if m._meta.app_label == "marketplace"}
    for label, (create, change) in factories.items():
        with acting_as(world.users.bureau_js, source="test", request_id=f"req-{label}") as context:
            obj = create(world)
            for attr, value in change.items():
                setattr(obj, attr, value)
            obj.save()
            pk = obj.pk
            obj.delete()
        rows = ObjectChange.objects.filter(request_id=context.request_id, content_type__model=obj._meta.model_name,
                                           object_id=str(pk)).order_by("id")
        assert [r.action for r in rows] == ["create", "update", "delete"], label
        assert {name for name, _, _ in rows[1].changed_fields} == set(change), label
