"""Lists that scale: export of the filtered list, page-size choice, grouped navigation, autocomplete."""

import csv
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fuhua.incubation.forms import IncubationForm

pytestmark = pytest.mark.django_db


def _csv(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_follows_scope_and_filters(client, world):
    client.force_login(world.users.bureau_sz)
    rows = _csv(client.get(reverse("registry:carrier_list"), {"export": "csv"}))
    names = {row[0] for row in rows[1:]}
    assert world.carrier_a.name in names and world.carrier_b.name not in names  # Nanjing is out of scope
    client.force_login(world.users.admin)
    everything = _csv(client.get(reverse("registry:carrier_list"), {"export": "csv"}))
    filtered = _csv(client.get(reverse("registry:carrier_list"), {"export": "csv", "q": "纳米"}))
    assert len(everything) == 3 and [r[0] for r in filtered[1:]] == [world.carrier_a.name]


def test_export_is_formula_safe_and_xlsx_opens(client, world):
    world.carrier_a.name = "=HYPERLINK(\"http://evil.example\",\"x\")"
    world.carrier_a.save()
    client.force_login(world.users.admin)
    rows = _csv(client.get(reverse("registry:carrier_list"), {"export": "csv"}))
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in {r[0] for r in rows}
    response = client.get(reverse("registry:carrier_list"), {"export": "xlsx"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][0] and len(sheet) == 3
    assert not any(str(cell).startswith("=") for row in sheet for cell in row)


def test_page_size_choice(client, world):
    client.force_login(world.users.admin)
    page = client.get(reverse("registry:firm_list"), {"per_page": "25"})
    assert page.context["page"].paginator.per_page == 25
    assert client.get(reverse("registry:firm_list"), {"per_page": "100000"}).context["page"].paginator.per_page == 50
    assert 'name="per_page"' in page.content.decode() and "export=xlsx" in page.content.decode()


def test_navigation_grouped(client, world):
    client.force_login(world.users.bureau_sz)
    entries = client.get(reverse("dashboard")).context["nav_entries"]
    groups = {e["key"]: [i["key"] for i in e["members"]] for e in entries if "members" in e}
    assert {"carriers", "firms", "recognitions"} <= set(groups["registry"])
    assert entries[0]["item"]["key"] == "dashboard" and entries[-1]["item"]["key"] == "search"
    assert len(entries) <= 8  # fits one row: dashboard, a handful of menus, search
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-nav=""' not in html and 'data-navgroup=""' not in html  # no empty menu or link


def test_autocomplete_is_scoped(client, world):
    url = reverse("autocomplete", kwargs={"model": "registry.firm"})
    client.force_login(world.users.bureau_sz)
    html = client.get(url, {"firm-autocomplete": "科技"}).content.decode()
    assert world.firm_a.name in html and world.firm_b.name not in html
    pinyin = client.get(url, {"firm-autocomplete": "szwn"}).content.decode()  # 苏州微纳 by its initials
    assert world.firm_a.name in pinyin
    assert client.get(reverse("autocomplete", kwargs={"model": "auth.user"}), {"q": "a"}).status_code == 404
    client.force_login(world.users.nobody)
    assert client.get(url, {"firm-autocomplete": "科技"}).status_code == 403


def test_big_choice_fields_render_as_autocomplete(world):
    form = IncubationForm(user=world.users.admin)
    html = str(form["team"])  # 18,000 teams in the province demo: a search box, not a select
    assert "<option" not in html and 'name="team-autocomplete"' in html and 'type="hidden" name="team"' in html
    bound = IncubationForm({"team": str(world.team_b.pk), "carrier": str(world.carrier_a.pk)},
                           user=world.users.bureau_sz)
    assert not bound.is_valid() and "team" in bound.errors  # the value is still checked against the scope


def test_names_sort_by_pinyin(client, world):
    """常州 (changzhou) before 南京 (nanjing) before 苏州 (suzhou); by code point 南 < 常 < 苏."""
    from fuhua import testing

    for name in ("苏州甲孵化器", "常州乙孵化器", "南京丙孵化器"):
        testing.carrier(name, world.op_a, world.regions.sz)
    client.force_login(world.users.admin)
    names = [row.name for row in client.get(reverse("registry:carrier_list"), {"q": "孵化器"}).context["rows"]]
    ours = [n for n in names if n in ("苏州甲孵化器", "常州乙孵化器", "南京丙孵化器")]
    assert ours == ["常州乙孵化器", "南京丙孵化器", "苏州甲孵化器"]
    reverse_names = [row.name for row in client.get(reverse("registry:carrier_list"),
                                                    {"q": "孵化器", "sort": "-name"}).context["rows"]]
    assert [n for n in reverse_names if n in ours] == list(reversed(ours))
