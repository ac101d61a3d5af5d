"""The registry's new facts through the API: an organisation's ownership, an enclave's administering region
and a county-level city's recognitions (issue #9, part 5)."""

import pytest

from fuhua.registry.models import Carrier, Organisation
from fuhua.testing import api_client as api

pytestmark = pytest.mark.django_db


def test_ownership_is_recorded_filtered_and_validated(world):
    client = api(world.users.bureau_sz)
    url = f"/api/v1/organisations/{world.op_a.pk}"
    assert client.patch(url, {"ownership": "foreign"}, content_type="application/json").status_code == 200
    assert Organisation.objects.get(pk=world.op_a.pk).ownership == "foreign"
    listed = client.get("/api/v1/organisations", {"ownership": "foreign"}).json()
    assert [row["id"] for row in listed["items"]] == [world.op_a.pk]
    bad = client.patch(url, {"ownership": "capitalist"}, content_type="application/json")
    assert bad.status_code == 422 and "ownership" in bad.content.decode()
    assert Organisation.objects.get(pk=world.op_a.pk).ownership == "foreign"


def test_an_enclave_names_its_administering_region(world):
    client = api(world.users.bureau_sz)
    url = f"/api/v1/carriers/{world.carrier_a.pk}"
    same = client.patch(url, {"kind": "enclave", "administering_region": world.carrier_a.region_id},
                        content_type="application/json")
    assert same.status_code == 422 and "administering_region" in same.content.decode()
    moved = client.patch(url, {"kind": "enclave", "administering_region": "320500"}, content_type="application/json")
    assert moved.status_code == 200, moved.content
    body = client.get(url).json()
    assert body["kind"] == "enclave" and body["administering_region"]["code"] == "320500"
    assert Carrier.objects.get(pk=world.carrier_a.pk).administering_region_id == "320500"


def test_county_level_city_is_a_recognition_level(world):
    client = api(world.users.bureau_sz)
    created = client.post("/api/v1/recognitions", {
        "carrier": world.carrier_a.pk, "level": "county_city", "kind": "recognition", "carrier_kind": "incubator",
        "authority": "太仓市科学技术局", "document_number": "太科〔2024〕12号", "granted_on": "2024-06-01",
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["level"] == "county_city"
