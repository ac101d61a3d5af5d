"""Figures as a Chinese civil servant reads them: money in 元/万元, years as years, dates YYYY-MM-DD, Beijing time.

The unit tests pin `fuhua.core.formatting`; the page test renders the main pages of every app with the test
world (plus policy money, seed funds, investments) and fails on a money field in fen or a year with a
thousands separator.
"""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fuhua.core import formatting as fmt
from fuhua.core.forms import DateInput

UTC = datetime.UTC


class TestMoney:
    def test_yuan_has_separators_and_cents(self):
        assert fmt.yuan(5_000_000_000) == "50,000,000.00"
        assert fmt.yuan(123_456) == "1,234.56"
        assert fmt.yuan(-150) == "-1.50"
        assert fmt.yuan(0) == "0.00"
        assert fmt.yuan(None) == "—"

    def test_wan_yuan_drops_trailing_zeros(self):
        assert fmt.wan_yuan(30_000_000) == "30"
        assert fmt.wan_yuan(1_305_653_400) == "1,305.65"
        assert fmt.wan_yuan(12_345_000_000) == "12,345"

    def test_money_picks_the_unit_a_clerk_writes(self):
        assert fmt.money(30_000_000) == "30 万元"
        assert fmt.money(500_000) == "5,000 元"
        assert fmt.money(1_000_050) == "10,000.50 元"
        assert fmt.money(30_000_000, "yuan") == "300,000 元"
        assert fmt.money(30_000_000, lang="en") == "300,000 yuan"

    def test_money_labels_lose_fen(self):
        assert fmt.money_label("金额（分）") == "金额（元）"
        assert fmt.money_label("amount (fen)") == "amount (yuan)"


class TestYearsDatesTimes:
    def test_year_never_has_a_separator(self):
        assert fmt.year(2025) == "2025"
        assert fmt.year("2,025") == "2025"
        assert fmt.year(datetime.date(2023, 5, 1)) == "2023"

    def test_date_is_iso(self):
        assert fmt.date(datetime.date(2025, 1, 2)) == "2025-01-02"
        # 2025-01-01 20:00 UTC is already 2 January in Beijing
        assert fmt.date(datetime.datetime(2025, 1, 1, 20, 0, tzinfo=UTC)) == "2025-01-02"

    def test_datetime_is_beijing_time(self):
        assert fmt.datetime(datetime.datetime(2025, 6, 30, 23, 30, tzinfo=UTC)) == "2025-07-01 07:30"
        shanghai = datetime.datetime(2025, 6, 30, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
        assert fmt.datetime(shanghai) == "2025-06-30 09:05"

    def test_percent_area_grade_number(self):
        assert fmt.percent(0.125) == "12.5%"
        assert fmt.percent(12.5, ratio=False) == "12.5%"
        assert fmt.area_m2(12000) == "12,000 m²"
        assert [fmt.grade(g) for g in ("a", " B ", "excellent", "C")] == ["A", "B", "A", "C"]
        assert fmt.number(63835395.61) == "63,835,395.61"
        assert fmt.number(Decimal("1234.5"), 2) == "1,234.50"
        assert fmt.number(12345) == "12,345"


class TestTemplateFilters:
    def render(self, source, **context):
        return Template("{% load fuhua %}" + source).render(Context(context))

    def test_filters_call_the_formatting_module(self):
        when = datetime.datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
        with translation.override("zh-hans"):
            out = self.render("{{ f|yuan }}|{{ f|wanyuan }}|{{ f|money }}|{{ y|year }}|{{ w|ymd }}|{{ w|bjtime }}"
                              "|{{ n|num }}", f=30_000_000, y=2025, w=when, n=12345)
        assert out == "300,000.00|30|30 万元|2025|2025-07-01|2025-07-01 07:30|12,345"

    def test_chinese_counts_have_separators_too(self):
        with translation.override("zh-hans"):
            out = Template("{% load humanize %}{{ n|intcomma }} {{ x|floatformat:'2g' }}").render(
                Context({"n": 12345, "x": 63835395.61}))
        assert out == "12,345 63,835,395.61"

    def test_date_input_is_a_chinese_picker_with_iso_value(self):
        with translation.override("zh-hans"):
            html = DateInput().render("on", datetime.date(2025, 3, 9))
        assert 'type="date"' in html and 'lang="zh-CN"' in html and 'value="2025-03-09"' in html


# ---- pages ---------------------------------------------------------------------------------------------

FEN_LABELS = ("（分）", "(fen)")
YEAR_WITH_SEPARATOR = re.compile(r"(?<![\d,.])(?:1,9|2,0)\d\d(?![\d,.])")  # "2,025"


def _money_world(world):
    from fuhua.policies.testing import scope_objects
    from fuhua.registry.models import FirmYearFigures, SeedFund
    from fuhua.testing import investment

    objects = scope_objects(world)  # entitlements of 500,000.00 yuan, payouts, applications claiming 300,000
    SeedFund.objects.create(carrier=world.carrier_a, name="纳米城种子资金", size_fen=1_305_653_400,
                            established_on=datetime.date(2019, 1, 1))
    investment(world.firm_a, amount_fen=987_654_300)
    FirmYearFigures.objects.create(firm=world.firm_a, year=2024, revenue_fen=456_789_100)
    return objects


def _pages(world, objects):
    pk = {"pk": 0}
    pages = [reverse(n) for n in (
        "policies:entitlement_list", "policies:payout_list", "policies:application_list", "policies:policy_list",
        "registry:seedfund_list", "registry:investment_list", "registry:firmyearfigures_list",
        "registry:carrier_list", "statistics:annualreport_list", "statistics:overview",
        "evaluation:evaluationrun_list", "incubation:incubation_list", "dashboard")]
    for name, obj in (("policies:entitlement_detail", objects.entitlements[0]),
                      ("policies:payout_detail", objects.payouts[0]),
                      ("policies:application_detail", objects.applications[0]),
                      ("policies:policy_detail", objects.policies[0]),
                      ("registry:carrier_detail", world.carrier_a),
                      ("registry:firm_detail", world.firm_a)):
        pk["pk"] = obj.pk
        pages.append(reverse(name, kwargs=pk))
    return pages


RAW_FEN = ("50,000,000", "50000000", "30,000,000", "30000000", "1,305,653,400", "1305653400",
           "987,654,300", "987654300", "456,789,100", "456789100")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_page_shows_fen_or_a_separated_year(world, language):
    objects = _money_world(world)
    client = Client()
    client.force_login(world.users.admin)
    client.cookies["django_language"] = language
    seen_yuan = set()
    for url in _pages(world, objects):
        response = client.get(url, headers={"accept-language": language})
        assert response.status_code == 200, url
        html = response.content.decode()
        text = re.sub(r'(href|value|action|data-[\w-]+)="[^"]*"', "", html)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
        for label in FEN_LABELS:
            assert label not in text, f"{url} shows a money label in fen: {label}"
        for raw in RAW_FEN:
            fen = re.search(rf"(?<![\d,.]){re.escape(raw)}(?![\d,.])", text)
            assert fen is None, f"{url} shows {raw} fen: {text[fen.start() - 60:fen.end() + 20]}"
        year = YEAR_WITH_SEPARATOR.search(text)
        assert year is None, f"{url} shows a year with a separator: {text[year.start() - 40:year.end() + 20]}"
        seen_yuan |= {s for s in ("500,000.00", "13,056,534.00", "9,876,543.00", "4,567,891.00") if s in text}
    assert seen_yuan == {"500,000.00", "13,056,534.00", "9,876,543.00", "4,567,891.00"}


@pytest.mark.django_db
def test_entitlement_reads_like_a_clerks_note(world):
    from fuhua.policies import services
    from fuhua.policies.models import Entitlement
    from fuhua.policies.testing import suzhou

    services.sync_policies()
    sz = suzhou(world)
    services.run_entitlements(world.users.bureau_sz, "taicang-2021-carriers", datetime.date(2025, 6, 30))
    e = Entitlement.objects.get(carrier=sz.taicang)
    client = Client()
    client.force_login(world.users.bureau_sz)
    html = client.get(reverse("policies:entitlement_detail", kwargs={"pk": e.pk})).content.decode()
    note = re.search(r"data-explanation>([^<]*)<", html).group(1)
    assert note.startswith(f"{sz.taicang.name} 2025 年获国家级")
    assert "太政发〔2021〕26号 载体认定奖励·一是" in note and note.endswith("应发 200 万元")
    assert "param." not in note and "200000000" not in note and "_fen" not in note
    assert "<details><summary>完整计算过程</summary>" in html and "条款号待核实" not in html
    outside = re.sub(r"<details>.*?</details>", "", html, flags=re.S)
    assert outside.count("条款号以原文为准") == 1
    listing = client.get(reverse("policies:entitlement_list")).content.decode()
    assert "科创载体认定（备案）奖励（国家级）" in listing and "recognition_award:national" not in listing
    client.cookies["django_language"] = "en"
    english = client.get(reverse("policies:entitlement_detail", kwargs={"pk": e.pk}),
                         headers={"accept-language": "en"}).content.decode()
    note = re.search(r"data-explanation>([^<]*)<", english).group(1)
    assert note.startswith(f"{sz.taicang.name} was recognised as a national ") and note.endswith("2,000,000 yuan due")


@pytest.mark.django_db
def test_readiness_reads_as_sentences_and_a_park_is_not_an_incubator(world):
    from fuhua.registry.models import Carrier

    client = Client()
    client.force_login(world.users.bureau_sz)
    html = client.get(reverse("registry:carrier_readiness", kwargs={"pk": world.carrier_a.pk})).content.decode()
    sentences = re.findall(r"data-explanation>([^<]*)<", html)
    assert sentences and all(("符合" in s) and "param." not in s for s in sentences)
    assert any("要求不低于" in s for s in sentences)
    outside = re.sub(r"<details>.*?</details>", "", html, flags=re.S)
    assert "param." not in outside and "_fen" not in outside
    Carrier.objects.filter(pk=world.carrier_a.pk).update(kind="university_park")
    park = client.get(reverse("registry:carrier_readiness", kwargs={"pk": world.carrier_a.pk}))
    page = park.content.decode()
    assert park.status_code == 200 and "没有适用于此类载体" in page and "data-explanation" not in page


@pytest.mark.django_db
def test_tenant_checks_read_as_sentences(world):
    client = Client()
    client.force_login(world.users.bureau_sz)
    html = client.get(reverse("incubation:incubation_detail", kwargs={"pk": world.inc_a.pk})).content.decode()
    sentences = re.findall(r'class="explanation" data-explanation>([^<]*)<', html)
    assert sentences and all("param." not in s and "_fen" not in s for s in sentences)
    assert "<summary>完整计算过程</summary>" in html
    outside = re.sub(r"<details>.*?</details>", "", html, flags=re.S)
    assert "待核实" not in outside


@pytest.mark.django_db
def test_money_is_typed_in_yuan_and_stored_in_fen(world):
    from fuhua.registry.models import SeedFund

    client = Client()
    client.force_login(world.users.bureau_sz)
    form = client.get(reverse("registry:seedfund_create")).content.decode()
    assert "规模（元）" in form and "（分）" not in form and 'type="date"' in form and 'lang="zh-CN"' in form
    response = client.post(reverse("registry:seedfund_create"), {
        "carrier": world.carrier_a.pk, "name": "纳米城三期资金", "size_fen": "6000000.50", "ownership": "own",
        "established_on": "2023-04-01"})
    assert response.status_code == 302
    fund = SeedFund.objects.get(name="纳米城三期资金")
    assert fund.size_fen == 600_000_050
    edit = client.get(reverse("registry:seedfund_edit", kwargs={"pk": fund.pk})).content.decode()
    assert 'value="6000000.50"' in edit and 'value="2023-04-01"' in edit


def test_cells_never_show_long_floats_and_areas_have_their_unit():
    from fuhua.core.views.generic import display_value

    assert display_value(0.1 + 0.2) == "0.3"
    assert display_value(12000.0, "incubation_area_m2") == "12,000 m²"
    assert display_value(2025, "budget_year") == "2025" and display_value(50_000_000, "amount_fen") == "500,000.00"
    assert display_value(datetime.datetime(2025, 6, 30, 23, 30, tzinfo=UTC)) == "2025-07-01 07:30"
