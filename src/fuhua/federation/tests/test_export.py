"""Sending to the parent: the audit trail is the feed; a package carries the current state of what changed
(and tombstones), the original provenance of records received from children, and only the shared tables."""

import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from fuhua.federation.exchange import export_package, head_position, import_package
from fuhua.federation.keys import public_key_text, sign
from fuhua.federation.models import Instance, PackageLog, Peer
from fuhua.federation.package import ReceivedPackage
from fuhua.federation.testing import Child, carrier, identity, organisation
from fuhua.federation.transport import FEED_PATH, signed_message
from fuhua.registry.models import Carrier

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    instance, key = identity("320500", "苏州市", "320500")
    parent_key = Ed25519PrivateKey.generate()
    parent = Peer.objects.create(code="320000", name="江苏省", relation="parent", region_id="320000",
                                 public_key=public_key_text(parent_key), tables=["organisations", "carriers",
                                                                                 "recognitions", "firms"])
    return instance, key, parent, parent_key


def read(archive, public_key):
    with ReceivedPackage(archive) as package:
        package.verify(public_key)
        return package.meta, {r["name"]: list(package.records(r)) for r in package.resources()}


def test_a_full_export_then_the_changes_since(city, world, tmp_path):
    instance, key, parent, _ = city
    archive, meta = export_package(parent, tmp_path / "full.tar.gz", since=0, key=key)
    meta, records = read(archive, instance.public_key)
    assert (meta["kind"], meta["from_position"], meta["to_position"]) == ("full", 0, head_position() - 1)  # - the log
    carriers = {r["_id"]: r for r in records["carriers"]}
    mine = carriers[str(world.carrier_a.pk)]
    assert (mine["_origin"], mine["name"], mine["region"], mine["operator"]) == (
        "320500", "苏州纳米城孵化器", "320571", {"origin": "320500", "id": str(world.op_a.pk)})
    assert "legal_representative" not in records["organisations"][0]  # personal data never leaves
    assert "mentors" not in records  # not shared with this peer
    parent.position = meta["to_position"]
    parent.save()

    world.carrier_a.address = "星湖街328号"
    world.carrier_a.save()
    gone = world.rec_b.pk
    world.rec_b.delete()
    archive, meta = export_package(parent, tmp_path / "changes.tar.gz", key=key)
    meta, records = read(archive, instance.public_key)
    assert meta["kind"] == "changes" and meta["from_position"] == parent.position
    assert [(r["_op"], r["_id"], r.get("address")) for r in records["carriers"]] == [
        ("upsert", str(world.carrier_a.pk), "星湖街328号")]
    assert [(r["_op"], r["_id"]) for r in records["recognitions"]] == [("delete", str(gone))]
    assert records["organisations"] == [] and records["firms"] == []
    assert PackageLog.objects.filter(direction="sent").count() == 2


def test_a_province_passes_its_cities_records_on_with_their_provenance(tmp_path):
    from fuhua.testing import regions

    regions()
    province, key = identity()
    child = Child()
    import_package(child.package(tmp_path / "city.tar.gz", {"organisations": [organisation(1)],
                                                            "carriers": [carrier(10, 1)]}))
    nation = Peer.objects.create(code="CN", name="全国", relation="parent", public_key=public_key_text(
        Ed25519PrivateKey.generate()), tables=["organisations", "carriers"])
    archive, _ = export_package(nation, tmp_path / "province.tar.gz", since=0, key=key)
    meta, records = read(archive, province.public_key)
    assert [(r["_origin"], r["_id"], r["operator"]) for r in records["carriers"]] == [
        ("320500", "10", {"origin": "320500", "id": "1"})]
    assert meta["origins"] == {"320000": "江苏省", "320500": "苏州市"}


def _get(path_query, key, code="320000", timestamp=None):
    path, _, query = path_query.partition("?")
    timestamp = timestamp or str(int(time.time()))
    return Client().get(path_query, headers={
        "X-Fuhua-Instance": code, "X-Fuhua-Time": timestamp,
        "X-Fuhua-Signature": sign(signed_message("GET", path, query, timestamp), key)})


def test_the_feed_answers_the_registered_parent_only(city, world, settings, tmp_path):
    instance, _, parent, parent_key = city
    from fuhua.federation import keys

    settings.FUHUA_HOME = tmp_path
    keys.generate_key()  # this instance's key file (FUHUA_HOME/federation), readable by the server only
    assert oct(keys.key_path().stat().st_mode & 0o777) == "0o600"
    Instance.objects.filter(pk=instance.pk).update(public_key=public_key_text(keys.load_key()))
    response = _get(f"{FEED_PATH}?since=0", parent_key)
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    assert int(response["X-Fuhua-Position"]) == head_position() - 1  # the sent package's log came after
    parent.refresh_from_db()
    assert parent.last_sync_at is not None and parent.position == 0

    assert _get(f"{FEED_PATH}?since=0", Ed25519PrivateKey.generate()).json()["message"] == "bad signature"
    assert _get(f"{FEED_PATH}?since=0", parent_key, code="330000").status_code == 403
    stale = _get(f"{FEED_PATH}?since=0", parent_key, timestamp=str(int(time.time()) - 3600))
    assert stale.status_code == 403 and "five minutes" in stale.json()["message"]
    assert Client().get(f"{FEED_PATH}?since=0").status_code == 403
    assert Carrier.objects.count() == 2


def test_on_postgresql_a_package_ends_before_changes_younger_than_the_settle_window(city, monkeypatch):
    from django.db import connection

    from fuhua.federation import exchange

    if connection.vendor != "postgresql":
        assert exchange.settled_position() == head_position()  # SQLite: one writer, every id below the head committed
        return
    monkeypatch.setattr(exchange, "SETTLE_SECONDS", 3600)
    assert exchange.settled_position() < head_position()  # the world's changes are minutes old, not an hour
