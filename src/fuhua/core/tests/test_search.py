import pytest

from fuhua.core.search import search_text
from fuhua.registry.models import Carrier


def test_search_text_holds_name_pinyin_and_initials():
    text = search_text("苏州工业园区")
    assert "苏州工业园区" in text
    assert "suzhougongyeyuanqu" in text
    assert "szgyyq" in text


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["纳米城", "namicheng", "sznmcfhq", "SZNMCFHQ"])
def test_carriers_found_by_chinese_pinyin_or_initials(world, query):
    found = Carrier.objects.restrict(world.users.bureau_js).filter(search__icontains=query.lower())
    assert list(found) == [world.carrier_a]


@pytest.mark.django_db
def test_search_column_follows_renames(world):
    world.carrier_a.name = "苏州独墅湖孵化器"
    world.carrier_a.save()
    assert Carrier.objects.filter(search__icontains="dsh").get() == world.carrier_a
