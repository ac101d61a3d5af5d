"""What is shared, per peer and per table (issue 16 items 3, 5, 6): aggregates instead of records for statistics,
grades, payouts, vouchers and events; no personal data or bank details in any table; cross-region records (an
enclave carrier, a firm's incubation chain across instances, a shared mentor pool) whole at the parent; the
freshness of each source beside federated pages."""

import datetime
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fuhua.accounts.roles import Role
from fuhua.core.services import update_object
from fuhua.federation.exchange import export_package, import_package
from fuhua.federation.figures import breakdown_key, refresh
from fuhua.federation.keys import public_key_text
from fuhua.federation.models import Figure, Peer
from fuhua.federation.package import PackageRefused, ReceivedPackage
from fuhua.federation.tables import DEFAULT_TABLES, TABLES
from fuhua.federation.testing import (
    Child,
    carrier,
    figure,
    firm,
    identity,
    incubation,
    mentor,
    organisation,
    pool_entry,
)
from fuhua.incubation.models import Incubation
from fuhua.mentoring.models import PoolMentor
from fuhua.registry.models import Carrier, Firm, Region
from fuhua.statistics.models import AnnualReport
from fuhua.testing import credit_code, make_user, regions, web_client

pytestmark = pytest.mark.django_db

ALL = [t.key for t in TABLES]
# Column names that would be a person's particulars or a bank's: none may be a column of a shared table.
PERSONAL = re.compile(r"legal_rep|contact|phone|mobile|email|id_number|identity|passport|birth|bank|account|"
                      r"password|user|_by$|idempotency|founder|holder")


def read(archive, public_key):
    with ReceivedPackage(archive) as package:
        package.verify(public_key)
        raw = b"".join(p.read_bytes() for p in package.dir.rglob("*") if p.is_file())
        return package.meta, {r["name"]: list(package.records(r)) for r in package.resources()}, raw.decode()


@pytest.fixture
def city(world):
    instance, key = identity("320500", "苏州市", "320500")
    parent = Peer.objects.create(code="320000", name="江苏省", relation="parent", region_id="320000",
                                 public_key=public_key_text(Ed25519PrivateKey.generate()), tables=ALL)
    return instance, key, parent


def test_no_column_of_any_shared_table_is_personal_data_or_a_bank_detail():
    for table in TABLES:
        model = table.model
        for name in (*table.columns, *table.regions, *table.refs):
            field = model._meta.get_field(name)
            assert not PERSONAL.search(name), (table.key, name)
            assert getattr(field, "related_model", None) is not settings.AUTH_USER_MODEL, (table.key, name)
            if field.is_relation:
                assert field.related_model._meta.label_lower in {t.model_label for t in TABLES} | {"registry.region"}
        # a model holding bank details or a person's particulars is not shared at all
        assert not any(PERSONAL.search(f.name) and f.name not in ("user",) for f in model._meta.concrete_fields
                       if f.name in table.columns)
    # a person's name travels only in the mentor pool, and only when a peer is set to receive it
    assert {t.key for t in TABLES if not t.default} == {"mentors", "pool"}
    assert "mentors" not in DEFAULT_TABLES and "pool" not in DEFAULT_TABLES


def test_personal_data_never_leaves_in_any_table_and_names_only_when_chosen(city, world, tmp_path):
    from fuhua.statistics.testing import report

    instance, key, parent = city
    world.op_a.legal_representative = "钱法人"
    world.op_a.save()
    report(world.carrier_a, 2025, status="accepted")
    from fuhua.mentoring.models import PoolMentor

    PoolMentor.objects.create(profile=world.mentor_a, specialities="融资")
    secrets = ["钱法人", "bureau_js@example.cn", "operator_a", "李明"]  # a legal representative, accounts, a mentor

    parent.tables = list(DEFAULT_TABLES)
    parent.save()
    _meta, records, raw = read(export_package(parent, tmp_path / "default.tar.gz", since=0, key=key)[0],
                               instance.public_key)
    assert sorted(records) == sorted(DEFAULT_TABLES)
    assert [s for s in secrets if s in raw] == []

    parent.tables = ALL
    parent.save()
    _meta, records, raw = read(export_package(parent, tmp_path / "all.tar.gz", since=0, key=key)[0],
                               instance.public_key)
    assert sorted(records) == sorted(ALL) and all(records[t.key] for t in TABLES if t.key not in (
        "evaluations", "payouts", "vouchers", "events"))
    assert [s for s in secrets if s in raw] == ["李明"]  # the mentor pool, chosen for this peer


def test_figures_are_totals_per_region_and_year_kept_current_and_shared(city, world, tmp_path):
    from fuhua.policies.testing import grade
    from fuhua.statistics.testing import report

    instance, key, parent = city
    report(world.carrier_a, 2025, status="accepted", tenants=60, tenants_new=6)
    report(world.carrier_b, 2025, status="accepted", tenants=15, tenants_new=2)  # Nanjing's (not this city's in life)
    report(world.carrier_a, 2024, status="submitted", tenants=99)  # not accepted: not counted
    grade(world.carrier_a, 2025, "A")
    refresh(instance, ["statistics", "evaluations"])
    mine = {(f.region_id, f.year, f.measure): f.value for f in Figure.objects.filter(source="320500", breakdown="")}
    assert mine[("320571", 2025, "statistics:tenants")] == 60
    assert mine[("320102", 2025, "statistics:tenants")] == 15
    assert ("320571", 2024, "statistics:tenants") not in mine
    assert mine[("320571", 2025, "evaluations:grade_A")] == 1
    # and their parts per carrier kind, level (valid at the year's end) and specialisation, for conditioned metrics
    parts = {(f.region_id, f.year, f.measure, f.breakdown): f.value
             for f in Figure.objects.filter(source="320500").exclude(breakdown="")}
    national_incubator = breakdown_key("incubator", "national", "comprehensive")
    provincial_maker_space = breakdown_key("maker_space", "provincial", "comprehensive")
    assert parts == {("320571", 2025, "statistics:tenants_new", national_incubator): 6,
                     ("320102", 2025, "statistics:tenants_new", provincial_maker_space): 2,
                     ("320571", 2025, "evaluations:grade_A", national_incubator): 1}  # only what `where` reads

    parent.tables = ["statistics", "evaluations"]
    parent.save()
    meta, records, _raw = read(export_package(parent, tmp_path / "f1.tar.gz", since=0, key=key)[0],
                               instance.public_key)
    tenants = [r for r in records["statistics"] if r["measure"] == "statistics:tenants"]
    assert sorted((r["region"], r["year"], r["value"], r["_origin"], r["breakdown"]) for r in tenants) == [
        ("320102", 2025, 15, "320500", ""), ("320571", 2025, 60, "320500", "")]
    new = [r for r in records["statistics"] if r["measure"] == "statistics:tenants_new"]
    assert sorted((r["region"], r["value"], r["breakdown"]) for r in new) == [
        ("320102", 2, ""), ("320102", 2, provincial_maker_space), ("320571", 6, ""), ("320571", 6, national_incubator)]
    assert [(r["measure"], r["breakdown"]) for r in records["evaluations"]] == [
        ("evaluations:grade_A", ""), ("evaluations:grade_A", national_incubator)]
    parent.position = meta["to_position"]
    parent.save()

    AnnualReport.objects.filter(carrier=world.carrier_a, year=2024).update(status="accepted")
    _meta, records, _raw = read(export_package(parent, tmp_path / "f2.tar.gz", key=key)[0], instance.public_key)
    changed = [(r["region"], r["year"], r["measure"], r["value"]) for r in records["statistics"]]
    assert ("320571", 2024, "statistics:tenants", 99) in changed  # refreshed before the export: the change goes
    assert all(year == 2024 for _r, year, _m, _v in changed) and records["evaluations"] == []


@pytest.fixture
def province():
    r = regions()
    return identity()[0], r


def test_figures_received_are_copies_summed_with_their_source_and_freshness(province, tmp_path, world):
    city = Child(tables=[*DEFAULT_TABLES])
    import_package(city.package(tmp_path / "p.tar.gz", {
        "statistics": [figure(1, value=60), figure(2, region="320500", value=40)],
        "payouts": [figure(3, group="payouts", measure="payouts:amount_fen", value=1_500_000_00)],
    }))
    assert sorted(Figure.objects.values_list("source", "region_id", "measure", "value")) == [
        ("320500", "320500", "statistics:tenants", 40), ("320500", "320571", "payouts:amount_fen", 150000000),
        ("320500", "320571", "statistics:tenants", 60)]
    copy = Figure.objects.get(value=40)
    with pytest.raises(PermissionDenied):
        update_object(world.users.admin, copy, {"value": 1})
    page = web_client(world.users.bureau_js).get("/network/figures/?year=2025")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-measure="statistics:tenants" data-year="2025"' in html and 'data-total="100"' in html
    assert "150 万元" in html  # a payout total in 万元
    assert 'data-source="320500"' in html  # freshness per source: 苏州市, synced … ago
    assert web_client(world.users.bureau_nj).get("/network/figures/").content.decode().count("data-total=") == 0

    with pytest.raises(PackageRefused, match="outside the region"):
        import_package(city.package(tmp_path / "bad.tar.gz", {"statistics": [figure(4, region="320102")]}))


def test_freshness_of_each_source_beside_the_registry_pages(province, tmp_path, world):
    city = Child()
    import_package(city.package(tmp_path / "p.tar.gz", {"organisations": [organisation(1)],
                                                         "carriers": [carrier(10, 1)]}))
    Peer.objects.filter(code="320500").update(last_sync_at=timezone.now() - datetime.timedelta(hours=2))
    html = web_client(world.users.bureau_js).get("/registry/carriers/").content.decode()
    assert re.search(r'data-source="320500">苏州市[:：][^<]*2\s*(小时|hours)', html)
    assert "data-source" not in web_client(world.users.bureau_js).get("/vouchers/").content.decode()


def test_an_enclave_carrier_is_one_record_seen_by_both_regions(province, tmp_path, world):
    suqian, _ = Region.objects.get_or_create(code="321300", defaults={"name": "宿迁市", "level": "prefecture",
                                                                     "parent_id": "320000"})
    suzhou = Child()
    nanjing = Child("320100", "南京市", "320100")
    import_package(suzhou.package(tmp_path / "p.tar.gz", {
        "organisations": [organisation(1)],
        "carriers": [carrier(12, 1, region="321300", administering_region="320500", name="苏宿园区科技孵化器")]}))
    enclave = Carrier.objects.get(name="苏宿园区科技孵化器")
    assert (enclave.region_id, enclave.administering_region_id) == ("321300", "320500")
    bureau_sq = make_user("bureau_sq", Role.BUREAU, region=suqian)
    for user in (bureau_sq, world.users.bureau_sz, world.users.bureau_js):
        assert list(Carrier.objects.restrict(user, "view").filter(name="苏宿园区科技孵化器")) == [enclave]
    assert not Carrier.objects.restrict(world.users.bureau_nj, "view").filter(pk=enclave.pk).exists()
    # a third city may not claim it: neither its region nor its administering region is Nanjing's
    with pytest.raises(PackageRefused, match="outside the region"):
        import_package(nanjing.package(tmp_path / "n.tar.gz", {
            "organisations": [organisation(1, origin="320100", region="320102")],
            "carriers": [carrier(12, 1, origin="320100", operator_origin="320100", region="321300",
                                 administering_region="320500")]}))
    assert Carrier.objects.filter(name="苏宿园区科技孵化器").count() == 1


def test_a_firm_s_incubation_chain_across_instances_is_whole_at_the_parent(province, tmp_path, world):
    code = credit_code("320500")
    suzhou = Child(tables=[*DEFAULT_TABLES])
    nanjing = Child("320100", "南京市", "320100", tables=[*DEFAULT_TABLES])
    import_package(suzhou.package(tmp_path / "s.tar.gz", {
        "organisations": [organisation(1)],
        "firms": [firm(30, credit_code=code, name="苏州链条科技有限公司")],
        "carriers": [carrier(10, 1, name="苏州众创空间", kind="maker_space")],
        "incubations": [incubation(40, 30, 10, status="graduated", entered_on="2021-03-01", left_on="2023-02-28")]}))
    import_package(nanjing.package(tmp_path / "n.tar.gz", {
        "organisations": [organisation(2, origin="320100", region="320102")],
        "firms": [firm(7, origin="320100", credit_code=code, name="苏州链条科技有限公司", region="320102")],
        "carriers": [carrier(8, 2, origin="320100", operator_origin="320100", region="320102",
                             name="南京加速器", kind="accelerator")],
        "incubations": [incubation(9, 7, 8, origin="320100", entered_on="2023-03-01")]}))
    the_firm = Firm.objects.get(credit_code=code)  # one firm: Nanjing's record is linked to it by credit code
    chain = Incubation.objects.filter(firm=the_firm).order_by("entered_on")
    assert [(i.carrier.name, i.status) for i in chain] == [("苏州众创空间", "graduated"), ("南京加速器", "incubating")]
    html = web_client(world.users.bureau_js).get(f"/registry/firms/{the_firm.pk}/").content.decode()
    assert "苏州众创空间" in html and "南京加速器" in html
    with pytest.raises(PermissionDenied):
        update_object(world.users.admin, chain[1], {"entered_on": datetime.date(2023, 4, 1)})


def test_a_mentor_pool_shared_by_the_cities_is_seen_read_only_at_the_parent(province, tmp_path, world):
    suzhou = Child(tables=[*DEFAULT_TABLES, "mentors", "pool"])
    import_package(suzhou.package(tmp_path / "m.tar.gz", {
        "mentors": [mentor(50, name="周启航")], "pool": [pool_entry(51, 50, specialities="融资、知识产权")]}))
    entry = PoolMentor.objects.get(profile__name="周启航")
    assert entry.specialities == "融资、知识产权" and entry.profile.region_id == "320500"
    assert PoolMentor.objects.restrict(world.users.bureau_js, "view").filter(pk=entry.pk).exists()
    assert not PoolMentor.objects.restrict(world.users.bureau_nj, "view").filter(pk=entry.pk).exists()
    with pytest.raises(PermissionDenied):
        update_object(world.users.admin, entry, {"capacity": 9})
    # a city that does not share its pool: the package is refused naming the table
    other = Child("320100", "南京市", "320100")
    with pytest.raises(PackageRefused, match="pool"):
        import_package(other.package(tmp_path / "o.tar.gz", {"pool": []}))


def test_the_steering_metrics_at_the_parent_count_the_figures_its_children_share(province, tmp_path, world):
    from fuhua.steering.metrics import Frame

    js = world.regions.js
    before = Frame(world.users.bureau_js, js)
    local_tenants = before.value("tenants", 2025).value or 0
    local_paid = before.value("payouts_fen", 2025).value or 0
    import_package(Child().package(tmp_path / "p.tar.gz", {
        "statistics": [figure(1, value=60), figure(2, region="320500", value=40)],
        "payouts": [figure(3, group="payouts", measure="payouts:amount_fen", value=1_500_000_00)]}))
    after = Frame(world.users.bureau_js, js)
    tenants = after.value("tenants", 2025)
    assert tenants.value == local_tenants + 100
    assert tenants.by_child["320500"] - before.value("tenants", 2025).by_child.get("320500", 0) == 100
    assert after.value("payouts_fen", 2025).value == local_paid + 1_500_000_00
    assert after.value("tenants", 2024).value == (before.value("tenants", 2024).value)  # another year: none
    # the figures an instance computes of its own records are not counted twice
    Figure.objects.create(source="320000", group="statistics", measure="statistics:tenants", region_id="320571",
                          year=2025, value=999)
    assert Frame(world.users.bureau_js, js).value("tenants", 2025).value == local_tenants + 100


def test_every_field_a_conditioned_metric_reads_is_shared_in_parts():
    """A steering metric with conditions counts the figures received only through their parts: a child must
    compute the parts of every statistics field such a metric reads (figures.STATISTICS_IN_PARTS)."""
    from fuhua.federation.figures import STATISTICS_IN_PARTS
    from fuhua.steering.metrics import catalogue

    read = {m.spec["field"] for m in catalogue().values() if m.kind == "statistic" and m.where}
    assert read and read <= STATISTICS_IN_PARTS


def _tenants_new(source_id, value, breakdown="", **values):
    return figure(source_id, measure="statistics:tenants_new", value=value, breakdown=breakdown, **values)


def test_the_conditioned_metrics_at_the_parent_sum_the_parts_of_the_figures_that_match(province, tmp_path, world,
                                                                                      monkeypatch):
    """Issue 16 item 6: a metric with conditions (`where`: a carrier kind, a level) counts the parts of the figures
    received for the carriers it selects, beside the local carriers it selects, each once."""
    from fuhua.statistics.testing import report
    from fuhua.steering import metrics
    from fuhua.steering.metrics import Frame, Metric

    incubators = Metric("incubator_tenants_new", "statistic", "在孵企业新增（孵化器）", "New tenants (incubators)",
                        "家", "", "", {"kind": ["incubator"]}, {"field": "tenants_new"}, "test")
    real = metrics.catalogue()
    monkeypatch.setattr(metrics, "catalogue", lambda: {**real, incubators.code: incubators})
    js = world.regions.js
    report(world.carrier_a, 2025, status="accepted", tenants_new=5)  # a local national incubator's report
    before = Frame(world.users.bureau_js, js)
    assert before.value("tenants_new_national", 2025).value == 5
    assert before.value("incubator_tenants_new", 2025).value == 5
    local_all = before.value("tenants_new", 2025).value

    national_incubator = breakdown_key("incubator", "national", "comprehensive")
    import_package(Child().package(tmp_path / "p.tar.gz", {"statistics": [
        _tenants_new(1, 37),  # Suzhou's total: for the metrics without conditions
        _tenants_new(2, 20, national_incubator),
        _tenants_new(3, 10, breakdown_key("maker_space", "national", "comprehensive")),
        _tenants_new(4, 7, breakdown_key("incubator", "provincial", "specialised")),
        _tenants_new(5, 3, breakdown_key("university_park", "national", "specialised"), region="320500"),
    ]}))
    assert Figure.objects.exclude(breakdown="").count() == 4  # the parts reached the parent as copies
    after = Frame(world.users.bureau_js, js)
    national = after.value("tenants_new_national", 2025)  # where: kind incubator or university park, level national
    assert national.value == 5 + 20 + 3
    assert national.by_child["320500"] == 5 + 20 + 3
    assert after.value("incubator_tenants_new", 2025).value == 5 + 20 + 7  # where: kind incubator
    assert after.value("tenants_new", 2025).value == local_all + 37  # the total, not the parts again
    assert after.value("tenants_new_national", 2024).value == before.value("tenants_new_national", 2024).value

    # the parts an instance computes of its own carriers are not counted twice (its reports are read directly)
    Figure.objects.create(source="320000", group="statistics", measure="statistics:tenants_new", region_id="320571",
                          year=2025, value=999, breakdown=national_incubator)
    assert Frame(world.users.bureau_js, js).value("tenants_new_national", 2025).value == 28
    # a reader outside Suzhou sees neither its carriers' reports nor its figures
    assert Frame(world.users.bureau_nj, world.regions.nj).value("tenants_new_national", 2025).value in (None, 0)


def test_a_package_from_before_the_breakdown_still_imports_and_counts_without_conditions(province, tmp_path, world,
                                                                                         monkeypatch):
    """A child not yet upgraded sends figures without the `breakdown` column: they are imported as totals, counted
    by the metrics without conditions and by none with conditions (no part of them is known)."""
    import dataclasses

    from fuhua.federation import testing
    from fuhua.federation.tables import BY_KEY, FIGURE_COLUMNS
    from fuhua.steering.metrics import Frame

    old = dataclasses.replace(BY_KEY["statistics"], columns=tuple(c for c in FIGURE_COLUMNS if c != "breakdown"))
    assert "breakdown" not in {f["name"] for f in old.schema()["fields"]}
    monkeypatch.setattr(testing, "BY_KEY", {**BY_KEY, "statistics": old})
    js = world.regions.js
    before = Frame(world.users.bureau_js, js)
    all_before, national_before = (before.value(c, 2025).value or 0 for c in ("tenants_new", "tenants_new_national"))
    package = Child().package(tmp_path / "old.tar.gz", {"statistics": [
        {k: v for k, v in _tenants_new(1, 37).items() if k != "breakdown"}]})
    import_package(package)
    assert list(Figure.objects.values_list("measure", "value", "breakdown")) == [("statistics:tenants_new", 37, "")]
    after = Frame(world.users.bureau_js, js)
    assert after.value("tenants_new", 2025).value == all_before + 37
    assert (after.value("tenants_new_national", 2025).value or 0) == national_before

    # a package whose figures lack another column is still refused (only the breakdown may be missing)
    monkeypatch.setattr(testing, "BY_KEY", {**BY_KEY, "statistics": dataclasses.replace(old, regions=())})
    with pytest.raises(PackageRefused, match="schema"):
        import_package(Child("320100", "南京市", "320100").package(tmp_path / "bad.tar.gz", {"statistics": []}))
