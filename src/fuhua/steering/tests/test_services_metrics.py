"""Vouchers and events as metrics defined as data (`records` over their apps): the figures per region match the
ledgers, a bureau sees its own, the aggregates hold them and the annual report has their chapter."""

import pytest
from django.utils import timezone

from fuhua.core.system import SYSTEM
from fuhua.events.testing import events_world
from fuhua.steering import aggregates, report
from fuhua.steering.metrics import DataFileError, Frame, parse_catalogue
from fuhua.vouchers.models import Voucher
from fuhua.vouchers.testing import voucher_world

pytestmark = pytest.mark.django_db


def test_voucher_and_event_figures_per_region(world):
    v, _e = voucher_world(world), events_world(world)
    year = timezone.localdate().year
    frame = Frame(SYSTEM, world.regions.js)
    claimed = frame.value("vouchers_claimed_fen", year)
    vouchers = list(Voucher.objects.select_related("firm"))
    assert claimed.value == sum(x.face_value_fen for x in vouchers) > 0
    assert claimed.by_child["320500"] == sum(x.face_value_fen for x in vouchers if x.firm.region_id.startswith("3205"))
    redeemed = frame.value("vouchers_redeemed_fen", year)
    assert redeemed.value == v.voucher_a.settled_fen + v.voucher_b.settled_fen > 0
    assert frame.value("vouchers_offered_fen", year).value == v.batch_a.budget_fen + v.batch_b.budget_fen
    assert frame.value("events_held", year).value == 2  # one held training in each city
    attendance = frame.value("event_attendance", year).by_child
    assert {k: n for k, n in attendance.items() if n} == {"320100": 1.0, "320500": 1.0}
    city = Frame(world.users.bureau_sz, world.regions.sz)
    assert city.value("event_attendance", year).value == 1 and city.value("events_held", year).value == 1


def test_aggregates_and_report_carry_them(world):
    from fuhua.statistics.testing import report as stats_report

    voucher_world(world), events_world(world)
    year = timezone.localdate().year
    stats_report(world.carrier_a, year, status="accepted", tenants=20, tenants_new=7, tenant_employees=300)
    aggregates.rebuild(timezone.localdate().replace(year=year + 1))
    assert aggregates.read("320500")["event_attendance"][year] == 1
    assert aggregates.read("000000")["vouchers_claimed_fen"][year] == Frame(SYSTEM, None).value(
        "vouchers_claimed_fen", year).value
    snapshot = report.build_snapshot(SYSTEM, world.regions.js, year)
    html = report.render(snapshot, "html").decode()
    assert "七、创新券与双创活动" in html and "举办双创活动2场" in html


def test_a_records_metric_on_an_unknown_field_is_refused_with_its_line(tmp_path):
    path = tmp_path / "metrics.yaml"
    path.write_text("metrics:\n  x:\n    label: 某\n    label_en: X\n    unit: 场\n    note: 某\n    kind: records\n"
                    "    model: events.Event\n    date: starts_on\n    region: region\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"metrics.yaml:2: metric x: events.Event has no field 'starts_on'"):
        parse_catalogue(path)
