"""The regions data migration (registry.0002_regions): content and consistency."""

import importlib

import pytest
from django.apps import apps

from fuhua.core.validators import validate_region_code
from fuhua.registry.models import Region

pytestmark = pytest.mark.django_db


def test_all_provincial_level_divisions():
    provinces = Region.objects.filter(level="province")
    assert provinces.count() == 34
    assert provinces.filter(parent__isnull=False).count() == 0
    names = dict(provinces.values_list("code", "name"))
    assert names["110000"] == "北京市"
    assert names["320000"] == "江苏省"
    assert names["650000"] == "新疆维吾尔自治区"
    assert names["710000"] == "台湾省"
    assert names["810000"] == "香港特别行政区"
    assert names["820000"] == "澳门特别行政区"


def test_jiangsu_cities_and_counties():
    cities = Region.objects.filter(parent_id="320000")
    assert cities.count() == 13
    assert set(cities.values_list("level", flat=True)) == {"prefecture"}
    assert cities.get(code="320100").name == "南京市"
    assert cities.get(code="321300").name == "宿迁市"
    counties = Region.objects.filter(level="county", code__startswith="32")
    assert counties.exclude(code="320571").count() == 95  # GB/T 2260; 苏州工业园区 is a functional zone
    suzhou = dict(Region.objects.filter(parent_id="320500").values_list("code", "name"))
    assert suzhou == {
        "320505": "虎丘区", "320506": "吴中区", "320507": "相城区", "320508": "姑苏区", "320509": "吴江区",
        "320571": "苏州工业园区", "320581": "常熟市", "320582": "张家港市", "320583": "昆山市", "320585": "太仓市",
    }
    assert Region.objects.get(code="320102").name == "玄武区"
    assert Region.objects.get(code="320613").name == "崇川区"  # after the 2020 merger with 港闸区


def test_codes_and_parents_are_consistent():
    for region in Region.objects.select_related("parent"):
        validate_region_code(region.code)
        if region.parent is None:
            assert region.level == "province"
            continue
        expected_parent_level = {"prefecture": "province", "county": "prefecture"}[region.level]
        assert region.parent.level == expected_parent_level
        assert region.code.startswith(region.parent.code_prefix), region


def test_hardship_flags_are_exactly_the_listed_regions():
    """registry/data/hardship_regions.csv (国人部发〔2006〕61号) is the only source of the flag."""
    listed = set(importlib.import_module("fuhua.registry.migrations.0005_hardship_regions")._codes())
    assert listed and set(Region.objects.filter(is_hardship=True).values_list("code", flat=True)) == listed
    assert not Region.objects.filter(code__startswith="32", is_hardship=True).exists()  # none in Jiangsu


def test_migration_is_reversible():
    migration = importlib.import_module("fuhua.registry.migrations.0002_regions")
    before = Region.objects.count()
    migration.unload(apps, None)
    assert Region.objects.count() == before - len(migration._rows())
    migration.load(apps, None)
    assert Region.objects.count() == before
