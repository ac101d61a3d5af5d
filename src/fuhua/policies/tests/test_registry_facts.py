"""What the registry must record for the rules to say who is owed what (issue #9, part 5): ownership,
enclaves and offshore centres, county-level-city recognitions, the administering region of an enclave,
two levels reached in one year, hardship regions, claimed amounts with their period."""

import datetime

import pytest

from fuhua import testing
from fuhua.policies.compute import compute
from fuhua.policies.services.sync import sync_policies
from fuhua.policies.testing import recognise, suzhou_regions
from fuhua.registry.models import Region
from fuhua.rules.adapter import load_population

D = datetime.date
pytestmark = pytest.mark.django_db


def due(computation, carrier):
    return {d.key: d.amount_fen for d in computation.dues if d.carrier_id == carrier.pk}


def test_two_levels_reached_in_one_year_are_both_paid(world):
    """苏州 2020 二、1 (差额补助, additive): a new incubator filed municipal in March and approved provincial in
    October of the same year gets 500,000 + 250,000, not only the higher level's 250,000."""
    sync_policies()
    fast = testing.carrier("苏州速成孵化器", world.op_a, world.regions.sz)
    recognise(fast, "municipal", D(2025, 3, 1))
    recognise(fast, "provincial", D(2025, 10, 1))
    result = compute("suzhou-2020-carriers", D(2025, 12, 31), carrier_ids=[fast.pk])
    assert due(result, fast) == {"incubator_construction:provincial": 75_000_000}
    columns = result.population["carrier"].columns
    assert bool(columns["new_municipal"][0]) and bool(columns["new_provincial"][0])


def test_a_county_level_city_recognition_is_its_own_level(world):
    """"太仓市级科技企业孵化器 … 奖励建设主体50万元" (太政发〔2021〕26号): recorded as county_city, paid as such."""
    sync_policies()
    taicang = suzhou_regions(world)
    tc = testing.carrier("太仓港区科创孵化器", world.op_a, taicang)
    recognise(tc, "county_city", D(2022, 5, 1), authority="太仓市科学技术局")
    district = testing.carrier("太仓某区级孵化器", world.op_a, taicang)
    recognise(district, "district", D(2022, 5, 1), authority="太仓市科学技术局")
    result = compute("taicang-2021-carriers", D(2022, 12, 31), carrier_ids=[tc.pk, district.pk])
    assert due(result, tc) == {"recognition_award:county_city": 50_000_000}
    assert due(result, district) == {}


def test_an_enclave_is_in_the_population_of_the_region_that_runs_it(world):
    """A Taicang enclave incubator in Shanghai (飞地): located outside Taicang, administered from it."""
    sync_policies()
    taicang = suzhou_regions(world)
    shanghai, _ = Region.objects.get_or_create(pk="310000", defaults={"name": "上海市", "level": "province"})
    enclave = testing.carrier("太仓（上海）飞地孵化器", world.op_a, shanghai, kind="enclave",
                              administering_region=taicang, incubation_area_m2=1200, tenant_area_m2=1000)
    offshore = testing.carrier("太仓海外离岸创新中心", world.op_a, shanghai, kind="offshore",
                               administering_region=taicang, incubation_area_m2=800, tenant_area_m2=600)
    recognise(enclave, "municipal", D(2022, 6, 1), kind="enclave")
    recognise(offshore, "municipal", D(2022, 6, 1), kind="offshore")
    result = compute("taicang-2021-carriers", D(2022, 12, 31))
    assert due(result, enclave) == {"recognition_award:municipal": 10_000_000}
    assert due(result, offshore) == {}  # 离岸创新中心: decided case by case, not the enclave award
    # The Taicang bureau sees the enclave it runs; a Nanjing bureau does not.
    taicang_bureau = testing.make_user("bureau_tc", "bureau", region=taicang)
    assert enclave in type(enclave).objects.restrict(taicang_bureau, "view")
    assert enclave not in type(enclave).objects.restrict(world.users.bureau_nj, "view")


def test_private_means_the_recorded_ownership(world):
    """苏州工业园区 2020: 民营载体（含外资）— a state-owned operator gets nothing, a foreign-invested one does."""
    from fuhua.policies.models import Application, Call

    sync_policies()
    sip = world.regions.sip
    soe = testing.organisation("园区国有资产经营公司", sip)
    soe.ownership = "state_owned"
    soe.save()
    world.op_a.ownership = "foreign"
    world.op_a.save()
    state_run = testing.carrier("园区国资孵化器", soe, sip)
    call = Call.objects.create(policy_id=sync_policies()["sip-2020-rent-relief"].pk, title="减免补贴",
                               opens_on=D(2020, 3, 1), closes_on=D(2020, 7, 31))
    for carrier in (world.carrier_a, state_run):
        Application.objects.create(call=call, carrier=carrier, claimed_fen=20_000_000, approved_fen=20_000_000,
                                   status="reviewed", claim_from=D(2020, 2, 1), claim_to=D(2020, 6, 30))
    outside = testing.carrier("园区七月减免载体", world.op_a, sip)
    Application.objects.create(call=call, carrier=outside, claimed_fen=20_000_000, approved_fen=20_000_000,
                               status="reviewed", claim_from=D(2020, 7, 1), claim_to=D(2020, 7, 31))
    result = compute("sip-2020-rent-relief", D(2020, 9, 30))
    assert due(result, world.carrier_a) == {"rent_relief:2020": 10_000_000}
    assert due(result, state_run) == {}
    assert due(result, outside) == {}  # its claim covers July: outside 2020年2月到6月


def test_hardship_regions_are_marked_from_their_list(world):
    """国人部发〔2006〕61号: the provinces listed in full are marked; a carrier under one gets the 20 % reduction
    of 国科发区〔2018〕300号 through the rules adapter."""
    assert set(Region.objects.filter(is_hardship=True).values_list("code", flat=True)) >= {"540000", "630000",
                                                                                           "650000"}
    assert not Region.objects.get(pk="320000").is_hardship
    lhasa = Region.objects.get_or_create(pk="540100", defaults={"name": "拉萨市", "level": "prefecture",
                                                                "parent_id": "540000"})[0]
    tibet_op = testing.organisation("拉萨科创发展有限公司", lhasa)
    plateau = testing.carrier("拉萨高新孵化器", tibet_op, lhasa)
    population = load_population(D(2025, 6, 30), carriers=type(plateau).objects.filter(
        pk__in=[plateau.pk, world.carrier_a.pk])).population
    table = population["carrier"]
    flags = dict(zip(table.ids.tolist(), table.columns["hardship_region"].tolist(), strict=True))
    assert flags == {plateau.pk: True, world.carrier_a.pk: False}
