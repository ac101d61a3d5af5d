"""Prefill sources as a registry (core.prefill): every form field's source is registered by the app that
holds the facts, statistics reads them through the registry, a new app's source prefills a form."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fuhua.core import prefill as sources
from fuhua.statistics import prefill
from fuhua.statistics.definitions import all_forms, form_for_year


def test_every_prefill_named_by_a_form_is_registered():
    named = {f.prefill for form in all_forms() for f in form.fields.values() if f.prefill}
    assert named and {key for key in named if sources.source_of(key) is None} == set()
    # incubation answers the tenant fields, statistics the registry's own carrier facts
    assert sources.source_of("incubations.tenants").key == "incubations"
    assert sources.source_of("carrier.workstations").key == "carrier"
    assert prefill.source_label("incubations.tenants") == "incubation records: firms in incubation on 31 December"
    assert prefill.source_label("unknown.field") == ""


def test_a_field_key_belongs_to_one_source():
    with pytest.raises(ValueError, match="already registered by source 'incubations'"):
        sources.register_prefill_source("other", "other", {"incubations.tenants": "x"}, lambda ids, year, fields: {})


@pytest.mark.django_db
def test_prefill_reads_each_source_once_and_fills_counts(world):
    form = form_for_year(2024)
    carriers = [world.carrier_a.pk, world.carrier_b.pk]
    with CaptureQueriesContext(connection) as ctx:
        values = prefill.prefill(form, carriers, 2024)
    fields = [f for f in form.fields.values() if f.prefill]
    # one query per field of the per-field sources, one for all carrier fields, one for all staffing fields
    per_field = sum(1 for f in fields if sources.source_of(f.prefill).key not in ("carrier", "staffing"))
    grouped = len({sources.source_of(f.prefill).key for f in fields} & {"carrier", "staffing"})
    assert len(ctx.captured_queries) == per_field + grouped
    tenants = next(f.code for f in fields if f.prefill == "incubations.tenants")
    assert values[world.carrier_a.pk][tenants] == 1  # firm_a, incubating since 2024-01
    assert values[world.carrier_b.pk][tenants] == 1  # firm_b, since 2024-02
    teams = next(f.code for f in fields if f.prefill == "incubations.teams")
    assert values[world.carrier_b.pk][teams] == 0  # team_b entered in 2025; counted: no teams is a fact


@pytest.mark.django_db
def test_a_registered_source_of_another_app_prefills_a_form(world):
    calls = []

    def load(ids, year, fields):
        calls.append((tuple(ids), year, fields))
        return {world.carrier_a.pk: {"vouchers.redeemed": 7}}

    form = form_for_year(2024)
    field = dataclasses.replace(next(iter(form.fields.values())), code="vouchers_redeemed", prefill="vouchers.redeemed")
    extended = dataclasses.replace(form, fields={"vouchers_redeemed": field})
    sources.register_prefill_source("vouchers_test", "vouchers", {"vouchers.redeemed": "vouchers redeemed"}, load,
                                    counted=True)
    try:
        values = prefill.prefill(extended, [world.carrier_a.pk, world.carrier_b.pk], 2024)
    finally:
        sources.unregister_prefill_source("vouchers_test")
    assert sources.source_of("vouchers.redeemed") is None
    assert calls == [((world.carrier_a.pk, world.carrier_b.pk), 2024, frozenset({"vouchers.redeemed"}))]
    assert values == {world.carrier_a.pk: {"vouchers_redeemed": 7}, world.carrier_b.pk: {"vouchers_redeemed": 0}}
