"""A national population has more firms than SQLite takes query parameters: long id lists are sent as
their range, and the result must be the same as with the exact lists."""

import datetime

import numpy as np
import pytest

from fuhua import testing
from fuhua.incubation.models import Incubation
from fuhua.registry.models import FirmDesignation
from fuhua.rules import adapter
from fuhua.rules.adapter import columns as adapter_columns

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 6, 30)


def columns(loaded):
    return {kind: {name: values.tolist() for name, values in loaded.population[kind].columns.items()}
            for kind in ("carrier", "firm", "incubation")}


def test_ranges_give_the_same_population_as_lists(world, monkeypatch):
    testing.rules_facts(world)
    FirmDesignation.objects.create(firm=world.firm_b, kind="high_tech", granted_on=datetime.date(2025, 1, 1))
    # inc_a and a record at a third carrier: carrier_b and firm_b lie inside the id ranges, and must be
    # trimmed from the rows (and their facts ignored).
    third = testing.carrier("第三孵化器", world.op_a, world.regions.sip)
    late = testing.firm("范围外企业", world.regions.sip)
    record = Incubation.objects.create(firm=late, carrier=third, status="incubating",
                                       entered_on=datetime.date(2024, 5, 1))
    records = Incubation.objects.filter(pk__in=[world.inc_a.pk, record.pk])
    exact = adapter.load_population(AS_OF, incubations=records)
    monkeypatch.setattr(adapter_columns, "MAX_LISTED_IDS", 0)
    ranged = adapter.load_population(AS_OF, incubations=records)
    assert columns(ranged) == columns(exact)
    assert ranged.population["carrier"].ids.tolist() == [world.carrier_a.pk, third.pk]
    assert np.array_equal(ranged.population["firm"].ids, np.array([world.firm_a.pk, late.pk]))
