"""Registry pages: scope (404), role (403), lists, forms through the services, bad input, history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fuhua.core.models import ObjectChange
from fuhua.registry.models import Carrier, Firm, Recognition
from fuhua.testing import credit_code
from fuhua.testing import login as as_user

pytestmark = pytest.mark.django_db


def url(name, obj=None):
    return reverse(f"registry:{name}", kwargs={"pk": obj.pk} if obj is not None else None)


OBJECT_PAGES = ["detail", "edit", "history", "delete"]


class TestScope:
    @pytest.mark.parametrize("page", OBJECT_PAGES)
    def test_carrier_pages_in_and_out_of_scope(self, client, world, page):
        c = as_user(client, world.users.bureau_sz)
        assert c.get(url(f"carrier_{page}", world.carrier_a)).status_code == 200
        assert c.get(url(f"carrier_{page}", world.carrier_b)).status_code == 404

    @pytest.mark.parametrize("page", OBJECT_PAGES)
    def test_firm_pages_in_and_out_of_scope(self, client, world, page):
        c = as_user(client, world.users.bureau_nj)
        assert c.get(url(f"firm_{page}", world.firm_b)).status_code == 200
        assert c.get(url(f"firm_{page}", world.firm_a)).status_code == 404

    @pytest.mark.parametrize("page", OBJECT_PAGES)
    def test_recognition_pages_in_and_out_of_scope(self, client, world, page):
        c = as_user(client, world.users.bureau_nj)
        assert c.get(url(f"recognition_{page}", world.rec_b)).status_code == 200
        assert c.get(url(f"recognition_{page}", world.rec_a)).status_code == 404

    def test_role_without_action_gets_403(self, client, world):
        c = as_user(client, world.users.association)
        assert c.get(url("carrier_detail", world.carrier_a)).status_code == 200
        assert c.get(url("carrier_edit", world.carrier_a)).status_code == 403
        assert c.get(url("carrier_create")).status_code == 403
        assert c.get(url("firm_list")).status_code == 403
        assert c.get(url("firm_detail", world.firm_a)).status_code == 403
        c = as_user(client, world.users.operator_a)
        assert c.get(url("recognition_edit", world.rec_a)).status_code == 403
        assert c.get(url("carrier_delete", world.carrier_a)).status_code == 403
        assert c.post(url("carrier_delete", world.carrier_a)).status_code == 403
        assert Carrier.objects.filter(pk=world.carrier_a.pk).exists()

    def test_firm_user_sees_own_firm_only(self, client, world):
        c = as_user(client, world.users.firm_a)
        assert c.get(url("firm_detail", world.firm_a)).status_code == 200
        assert c.get(url("firm_edit", world.firm_a)).status_code == 200
        assert c.get(url("firm_detail", world.firm_b)).status_code == 404
        assert c.get(url("carrier_list")).status_code == 403

    @pytest.mark.parametrize("model", ["organisation", "mentorprofile", "investorprofile"])
    def test_directory_pages(self, client, world, model):
        obj = {"organisation": world.op_a, "mentorprofile": world.mentor_a, "investorprofile": world.investor_a}[model]
        c = as_user(client, world.users.admin)
        assert c.get(url(f"{model}_list")).status_code == 200
        assert c.get(url(f"{model}_detail", obj)).status_code == 200
        assert c.get(url(f"{model}_history", obj)).status_code == 200


class TestLists:
    def rows(self, response):
        return [str(row) for row in response.context["rows"]]

    def test_list_is_scoped(self, client, world):
        c = as_user(client, world.users.bureau_sz)
        assert self.rows(c.get(url("carrier_list"))) == ["苏州纳米城孵化器"]
        c = as_user(client, world.users.bureau_js)
        assert sorted(self.rows(c.get(url("carrier_list")))) == ["南京紫金众创空间", "苏州纳米城孵化器"]

    @pytest.mark.parametrize("query", ["纳米城", "nami", "sznmcfhq", "SZNMCFHQ"])
    def test_search_name_pinyin_initials(self, client, world, query):
        c = as_user(client, world.users.bureau_js)
        assert self.rows(c.get(url("carrier_list"), {"q": query})) == ["苏州纳米城孵化器"]

    def test_filters(self, client, world):
        c = as_user(client, world.users.bureau_js)
        assert self.rows(c.get(url("carrier_list"), {"kind": "maker_space"})) == ["南京紫金众创空间"]
        assert self.rows(c.get(url("carrier_list"), {"level": "national"})) == ["苏州纳米城孵化器"]
        assert self.rows(c.get(url("carrier_list"), {"region": ["320000", "320100"]})) == ["南京紫金众创空间"]
        # A city left over from another province is ignored; "all provinces" drops the rest.
        assert len(self.rows(c.get(url("carrier_list"), {"region": ["", "320100"]}))) == 2
        assert self.rows(c.get(url("carrier_list"), {"region": "320571"})) == ["苏州纳米城孵化器"]
        assert self.rows(c.get(url("firm_list"), {"industry_field": "electronic_info"})) == ["南京智算云科技有限公司"]
        assert self.rows(c.get(url("recognition_list"), {"level": "provincial"})) == [str(world.rec_b)]

    def test_sort_and_bad_sort(self, client, world):
        c = as_user(client, world.users.bureau_js)
        asc = self.rows(c.get(url("carrier_list"), {"sort": "incubation_area_m2"}))
        desc = self.rows(c.get(url("carrier_list"), {"sort": "-incubation_area_m2"}))
        assert asc == list(reversed(desc)) and asc[0] == "南京紫金众创空间"
        assert c.get(url("carrier_list"), {"sort": "operator__credit_code"}).status_code == 200

    def test_htmx_gets_table_only(self, client, world):
        c = as_user(client, world.users.bureau_js)
        response = c.get(url("firm_list"), {"q": "wn"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
        html = response.content.decode()
        assert "<html" not in html and "苏州微纳传感科技有限公司" in html

    def test_pagination_counts(self, client, world):
        for i in range(55):
            Firm.objects.create(name=f"测试企业{i:02d}", credit_code=credit_code("320500"),
                                founded=datetime.date(2020, 1, 1), industry_field="ai", region=world.regions.sz)
        c = as_user(client, world.users.bureau_sz)
        page = c.get(url("firm_list")).context["page"]
        assert page.paginator.count == 56 and len(page.object_list) == 50
        assert len(c.get(url("firm_list"), {"page": 2}).context["page"].object_list) == 6

    def test_list_queries_do_not_grow_per_row(self, client, world, django_assert_max_num_queries):
        c = as_user(client, world.users.bureau_js)
        with django_assert_max_num_queries(12):
            c.get(url("carrier_list"))


class TestDetail:
    def test_carrier_shows_recognitions_tenants_mentors(self, client, world):
        html = as_user(client, world.users.bureau_sz).get(url("carrier_detail", world.carrier_a)).content.decode()
        for text in ("国科发区〔2019〕321号", "苏州微纳传感科技有限公司", "李明", "孵化场地面积"):
            assert text in html

    def test_firm_shows_designations_and_chain_in_entry_order(self, client, world):
        from fuhua.incubation.models import Incubation

        Incubation.objects.create(firm=world.firm_a, carrier=world.carrier_b, status="graduated",
                                  entered_on=datetime.date(2023, 3, 1), left_on=datetime.date(2023, 12, 31))
        response = as_user(client, world.users.admin).get(url("firm_detail", world.firm_a))
        chain = next(s for s in response.context["sections"] if str(s.title) == "孵化链条")
        assert [i.carrier.name for i in chain.rows] == ["南京紫金众创空间", "苏州纳米城孵化器"]
        assert "科技型中小企业" in response.content.decode()

    def test_association_does_not_see_tenants(self, client, world):
        response = as_user(client, world.users.association).get(url("carrier_detail", world.carrier_a))
        titles = [str(s.title) for s in response.context["sections"]]
        assert "在孵企业" not in titles


def carrier_data(world, **overrides):
    data = {
        "name": "苏州新建孵化器", "kind": "incubator", "demo_base_type": "", "operator": world.op_a.credit_code,
        "region": world.regions.sip.code, "address": "星湖街 1 号", "established": "2020-01-01",
        "incubation_area_m2": "5000", "tenant_area_m2": "4000", "workstations": "100",
        "specialisation": "comprehensive", "industry_field": "", "status": "operating",
    }
    data.update(overrides)
    return data


def firm_data(world, firm, **overrides):
    data = {
        "name": firm.name, "credit_code": firm.credit_code, "founded": firm.founded.isoformat(),
        "industry_field": firm.industry_field, "size_class": firm.size_class, "region": firm.region_id,
        "listed_on": "", "listing_board": "", "acquired_on": "", "deregistered_on": "",
    }
    data.update(overrides)
    return data


class TestForms:
    def test_create_carrier_through_service_and_audit(self, client, world):
        c = as_user(client, world.users.bureau_sz)
        response = c.post(url("carrier_create"), carrier_data(world))
        carrier = Carrier.objects.get(name="苏州新建孵化器")
        assert response.status_code == 302 and response.url == url("carrier_detail", carrier)
        change = ObjectChange.objects.get(object_id=str(carrier.pk), action="create", content_type__model="carrier")
        assert change.username == "bureau_sz" and change.source == "web"

    def test_edit_firm_shows_in_history(self, client, world):
        c = as_user(client, world.users.operator_a)
        response = c.post(url("firm_edit", world.firm_a), firm_data(world, world.firm_a, size_class="small"))
        assert response.status_code == 302
        html = c.get(url("firm_history", world.firm_a)).content.decode()
        assert "企业规模" in html and "微型" in html and "小型" in html and "operator_a" in html

    @pytest.mark.parametrize("overrides, field, message", [
        ({"tenant_area_m2": "6000"}, "tenant_area_m2", "不能超过孵化场地面积"),
        ({"incubation_area_m2": "-5"}, "incubation_area_m2", None),
        ({"established": "2999-01-01"}, "established", "不能晚于今天"),
        ({"operator": "91320500MA1XXXXXX1"}, "operator", None),
        ({"kind": "demo_base"}, "demo_base_type", None),
        ({"specialisation": "specialised"}, "industry_field", None),
    ])
    def test_carrier_bad_input(self, client, world, overrides, field, message):
        c = as_user(client, world.users.bureau_sz)
        response = c.post(url("carrier_create"), carrier_data(world, **overrides))
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert field in errors, errors
        if message:
            assert message in " ".join(errors[field])
        assert not Carrier.objects.filter(name="苏州新建孵化器").exists()

    @pytest.mark.parametrize("mangle, message", [
        (lambda code: code[:17] + ("1" if code[17] != "1" else "2"), "校验码"),  # mistyped check character
        (lambda code: code[:7], "18 位"),
        (lambda code: code[:16] + "I" + code[17], "不允许"),
    ])
    def test_invalid_credit_code(self, client, world, mangle, message):
        c = as_user(client, world.users.bureau_sz)
        before = world.firm_a.credit_code
        code = mangle(before)
        response = c.post(url("firm_edit", world.firm_a), firm_data(world, world.firm_a, credit_code=code))
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors["credit_code"])
        world.firm_a.refresh_from_db()
        assert world.firm_a.credit_code == before

    def test_duplicate_credit_code(self, client, world):
        c = as_user(client, world.users.bureau_js)
        data = firm_data(world, world.firm_a, name="重复企业")
        response = c.post(url("firm_create"), data)
        assert response.status_code == 400 and "credit_code" in response.context["form"].errors
        assert Firm.objects.filter(credit_code=world.firm_a.credit_code).count() == 1

    def test_future_founding_date(self, client, world):
        c = as_user(client, world.users.bureau_sz)
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        response = c.post(url("firm_edit", world.firm_a), firm_data(world, world.firm_a, founded=tomorrow))
        assert response.status_code == 400 and "founded" in response.context["form"].errors

    def test_recognition_validity_error_on_field(self, client, world):
        c = as_user(client, world.users.bureau_sz)
        data = {
            "carrier": world.carrier_a.pk, "level": "municipal", "kind": "recognition", "carrier_kind": "incubator",
            "authority": "苏州市科学技术局", "document_number": "苏科〔2024〕1号", "granted_on": "2024-05-01",
            "valid_until": "2024-01-01", "revoked_on": "", "revoked_reason": "", "national_grade": "",
        }
        response = c.post(url("recognition_create"), data)
        assert response.status_code == 400 and "valid_until" in response.context["form"].errors
        response = c.post(url("recognition_create"), {**data, "valid_until": "2027-05-01"})
        assert response.status_code == 302
        assert Recognition.objects.filter(document_number="苏科〔2024〕1号").exists()

    def test_moving_out_of_scope_is_403_and_not_written(self, client, world):
        # bureau_sz may not pick a Nanjing region at all; a forged value is refused before any write.
        c = as_user(client, world.users.bureau_sz)
        response = c.post(url("carrier_edit", world.carrier_a), carrier_data(world, region=world.regions.xw.code))
        assert response.status_code == 400 and "region" in response.context["form"].errors
        world.carrier_a.refresh_from_db()
        assert world.carrier_a.region_id == world.regions.sip.code

    def test_create_prefill_from_query(self, client, world):
        c = as_user(client, world.users.bureau_sz)
        response = c.get(url("recognition_create"), {"carrier": world.carrier_a.pk})
        assert response.context["form"].initial["carrier"] == str(world.carrier_a.pk)

    def test_operator_choices_are_scoped(self, client, world):
        c = as_user(client, world.users.bureau_sz)
        response = c.post(url("carrier_create"), carrier_data(world, operator=world.op_b.credit_code))
        assert response.status_code == 400 and "operator" in response.context["form"].errors


class TestDelete:
    def test_delete_confirms_then_deletes(self, client, world):
        c = as_user(client, world.users.bureau_sz)
        assert "确认删除" in c.get(url("recognition_delete", world.rec_a)).content.decode()
        response = c.post(url("recognition_delete", world.rec_a))
        assert response.status_code == 302 and not Recognition.objects.filter(pk=world.rec_a.pk).exists()

    def test_protected_delete_shows_error(self, client, world):
        c = as_user(client, world.users.bureau_sz)
        response = c.post(url("carrier_delete", world.carrier_a))  # still has incubations (PROTECT)
        assert response.status_code == 400 and response.context["errors"]
        assert Carrier.objects.filter(pk=world.carrier_a.pk).exists()

    def test_out_of_scope_delete_is_404(self, client, world):
        c = as_user(client, world.users.bureau_nj)
        assert c.post(url("recognition_delete", world.rec_a)).status_code == 404
        assert Recognition.objects.filter(pk=world.rec_a.pk).exists()


class TestHistory:
    def test_foreign_keys_show_names_and_history_is_scoped(self, client, world):
        c = as_user(client, world.users.bureau_js)
        response = c.post(url("carrier_edit", world.carrier_a), carrier_data(
            world, name=world.carrier_a.name, region=world.regions.sz.code, operator=world.op_a.credit_code,
            incubation_area_m2="12000", tenant_area_m2="9500", established="2015-06-01", workstations="300"))
        assert response.status_code == 302
        html = c.get(url("carrier_history", world.carrier_a)).content.decode()
        assert "<del>苏州工业园区</del> → <ins>苏州市</ins>" in html
        assert as_user(client, world.users.bureau_nj).get(url("carrier_history", world.carrier_a)).status_code == 404
