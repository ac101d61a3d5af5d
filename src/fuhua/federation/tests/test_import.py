"""Receiving packages from a child: applied with provenance, idempotent, resumable, read-only afterwards,
and every faulty package refused whole with its reason (nothing written, the refusal audited)."""

import datetime
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fuhua.core.models import ObjectChange
from fuhua.core.services import delete_object, update_object
from fuhua.federation import exchange
from fuhua.federation.exchange import import_package
from fuhua.federation.models import FederatedRecord, PackageLog, Peer
from fuhua.federation.package import PackageRefused
from fuhua.federation.testing import (
    Child,
    carrier,
    firm,
    identity,
    incubation,
    organisation,
    recognition,
    rewrite_member,
    tombstone,
)
from fuhua.registry.models import Carrier, Organisation, Recognition
from fuhua.testing import credit_code, regions

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def province():
    regions()
    return identity()[0]


@pytest.fixture
def city(province):
    return Child()


def first_package(city, tmp_path, name="p1.tar.gz"):
    return city.package(tmp_path / name, {
        "organisations": [organisation(1)],
        "carriers": [carrier(10, 1, changed=T0)],
        "recognitions": [recognition(20, 10)],
    })


def written():
    """What a refused import must not change: the data and the provenance (the refusal's log is expected)."""
    return (Carrier.objects.count(), Organisation.objects.count(), Recognition.objects.count(),
            FederatedRecord.objects.count())


def test_records_arrive_with_their_provenance_and_a_second_import_changes_nothing(city, tmp_path):
    archive = first_package(city, tmp_path)
    log = import_package(archive)
    assert (log.outcome, log.created, log.updated, log.unchanged) == ("imported", 3, 0, 0)
    copy = Carrier.objects.get(name="苏州孵化器10")
    source = FederatedRecord.objects.get(model="registry.carrier", local_id=str(copy.pk))
    assert (source.origin_id, source.source_id, source.source_changed_at, source.peer.code) == ("320500", "10", T0,
                                                                                               "320500")
    assert copy.operator.name == "苏州运营1有限公司"
    assert copy.recognitions.get().document_number == "国科发区〔2019〕20号"
    assert Peer.objects.get(code="320500").position == 3
    changes = ObjectChange.objects.count()
    again = import_package(archive)
    assert again.pk == log.pk and ObjectChange.objects.count() == changes and written() == (1, 1, 1, 3)


def test_a_change_and_a_deletion_propagate(city, tmp_path):
    import_package(first_package(city, tmp_path))
    later = timezone.now() + datetime.timedelta(minutes=1)
    log = import_package(city.package(tmp_path / "p2.tar.gz", {
        "carriers": [carrier(10, 1, changed=later, address="星湖街328号")],
        "recognitions": [tombstone("recognitions", 20, later)],
    }))
    assert (log.created, log.updated, log.deleted) == (0, 1, 1)
    assert Carrier.objects.get(name="苏州孵化器10").address == "星湖街328号"
    audited = ObjectChange.objects.get(action="update", content_type__model="carrier")  # bulk, before and after
    assert (audited.before["address"], audited.after["address"]) == ("", "星湖街328号")
    assert not Recognition.objects.exists()
    assert FederatedRecord.objects.get(model="registry.recognition").deleted


def test_each_imported_record_is_audited_once_with_what_it_holds_and_its_package(city, tmp_path):
    """The import's audit is compact (exchange._create_many): one entry a record, its columns and provenance as
    received, the package in its reason; the mappings are in those entries, not entries of their own."""
    log = import_package(first_package(city, tmp_path))
    copy = Recognition.objects.get()
    entries = ObjectChange.objects.filter(reason__contains=log.package_id).exclude(content_type__model="packagelog")
    assert sorted(entries.values_list("content_type__model", "action")) == [
        ("carrier", "create"), ("organisation", "create"), ("recognition", "create")]
    entry = entries.get(content_type__model="recognition")
    assert (entry.object_id, entry.object_repr, entry.before) == (str(copy.pk), str(copy), None)
    assert "苏州孵化器10" in entry.object_repr  # the text names the carrier (read once for the group)
    assert entry.after["_origin"] == "320500" and entry.after["_id"] == "20" and entry.after["_changed"]
    assert entry.after["document_number"] == "国科发区〔2019〕20号" and entry.after["carrier"] == {
        "origin": "320500", "id": "10"}
    assert "_op" not in entry.after and "_search" not in entry.after
    assert not ObjectChange.objects.filter(content_type__model="federatedrecord").exists()
    assert ObjectChange.objects.filter(content_type__model="packagelog", object_id=str(log.pk)).exists()


def test_an_update_says_what_changed_and_the_versions(city, tmp_path):
    import_package(first_package(city, tmp_path))
    later = T0 + datetime.timedelta(days=1)
    log = import_package(city.package(tmp_path / "p2.tar.gz", {
        "carriers": [carrier(10, 1, changed=later, workstations=320)]}))
    entry = ObjectChange.objects.get(action="update", content_type__model="carrier")
    assert log.package_id in entry.reason
    changed = {name: (old, new) for name, old, new in entry.changed_fields}
    assert changed == {"workstations": (300, 320), "_changed": ("2026-03-01T08:00:00Z", "2026-03-02T08:00:00Z"),
                       "_origin": (None, "320500"), "_id": (None, "10")}


def test_the_audit_text_reads_references_once_per_group(city, tmp_path, django_assert_max_num_queries):
    """A tenancy's text names its firm and carrier: read for the whole group, not a query per row."""
    import_package(city.package(tmp_path / "p0.tar.gz", {
        "organisations": [organisation(1)], "carriers": [carrier(10, 1)],
        "firms": [firm(i, credit_code=credit_code("320500")) for i in range(100, 160)]}))
    archive = city.package(tmp_path / "p1.tar.gz", {"incubations": [incubation(i, i, 10) for i in range(100, 160)]})
    with django_assert_max_num_queries(60):  # 60 tenancies: a query per row would be 120 more
        import_package(archive)
    texts = set(ObjectChange.objects.filter(content_type__model="incubation").values_list("object_repr", flat=True))
    assert "苏州科技100有限公司 @ 苏州孵化器10" in texts and len(texts) == 60


def test_federated_copies_are_read_only(city, tmp_path, world):
    import_package(first_package(city, tmp_path))
    copy = Carrier.objects.get(name="苏州孵化器10")
    with pytest.raises(PermissionDenied, match=r"read-only|只读"):
        update_object(world.users.admin, copy, {"address": "改"})
    with pytest.raises(PermissionDenied, match=r"read-only|只读"):
        delete_object(world.users.admin, copy)
    update_object(world.users.admin, world.carrier_a, {"address": "本地记录照常可改"})  # a local record is not


def test_the_source_is_shown_on_the_page(city, tmp_path, world):
    from fuhua.testing import web_client

    import_package(first_package(city, tmp_path))
    copy = Carrier.objects.get(name="苏州孵化器10")
    page = web_client(world.users.bureau_js).get(f"/registry/carriers/{copy.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-origin="320500"' in html and "320500:10" in html
    local = web_client(world.users.bureau_js).get(f"/registry/carriers/{world.carrier_a.pk}/").content.decode()
    assert "data-origin" not in local


def test_an_interrupted_import_resumes_without_duplicates(city, tmp_path, monkeypatch):
    archive = first_package(city, tmp_path)
    real, calls = exchange._apply_batch, []

    def failing(log, *args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(log, *args)

    monkeypatch.setattr(exchange, "_apply_batch", failing)
    with pytest.raises(RuntimeError):
        import_package(archive, batch_size=1)
    log = PackageLog.objects.get(direction="received")
    assert (log.outcome, log.applied, Organisation.objects.count(), Carrier.objects.count()) == ("applying", 1, 1, 0)
    assert Peer.objects.get(code="320500").position == 0
    monkeypatch.setattr(exchange, "_apply_batch", real)
    resumed = import_package(archive, batch_size=1)
    assert (resumed.pk, resumed.outcome, resumed.applied, resumed.created) == (log.pk, "imported", 3, 3)
    assert written() == (1, 1, 1, 3)


# --- refusals: each with its reason, nothing written, the refusal in the log and the audit trail ------------


def refused(archive, match):
    before = written()
    with pytest.raises(PackageRefused, match=match):
        import_package(archive)
    assert written() == before
    log = PackageLog.objects.filter(outcome="refused").latest("id")
    assert ObjectChange.objects.filter(content_type__model="packagelog", object_id=str(log.pk)).exists()
    return log


def test_bad_signature(city, tmp_path):
    archive = city.package(tmp_path / "p.tar.gz", {"organisations": [organisation(1)]},
                           key=Ed25519PrivateKey.generate())
    assert "Bad signature" in refused(archive, "Bad signature").reason


def test_wrong_checksum(city, tmp_path):
    archive = first_package(city, tmp_path)
    rewrite_member(archive, "data/carriers.jsonl", lambda data: data.replace(b"12000", b"99999"))
    refused(archive, "Wrong checksum: data/carriers.jsonl")


def test_unknown_peer(province, tmp_path):
    stranger = Child(code="330100", name="杭州市", region="330100", register=False)
    log = refused(stranger.package(tmp_path / "p.tar.gz", {"organisations": [organisation(1)]}), "Unknown peer")
    assert log.peer is None and log.sender == "330100"


def test_an_older_version_of_a_record(city, tmp_path):
    import_package(first_package(city, tmp_path))
    older = city.package(tmp_path / "old.tar.gz", {"carriers": [carrier(10, 1, changed=T0 - datetime.timedelta(1))]})
    log = refused(older, "Older version: carriers 320500:10")
    assert Peer.objects.get(code="320500").last_error == log.reason


def test_a_replayed_old_package(city, tmp_path):
    import_package(first_package(city, tmp_path))
    import_package(city.package(tmp_path / "p2.tar.gz", {"carriers": [carrier(10, 1, address="新")]}))
    replay = city.package(tmp_path / "p3.tar.gz", {"carriers": [carrier(10, 1)]}, start=1, end=3)
    refused(replay, "Replayed or outdated package")


def test_missing_changes(city, tmp_path):
    import_package(first_package(city, tmp_path))
    refused(city.package(tmp_path / "gap.tar.gz", {"carriers": [carrier(10, 1)]}, start=7, end=9),
            "Changes are missing")


def test_a_record_outside_the_senders_region(city, tmp_path):
    archive = city.package(tmp_path / "p.tar.gz", {"organisations": [organisation(1)],
                                                   "carriers": [carrier(10, 1, region="320102")]})
    refused(archive, "carriers 320500:10 lies in 320102, outside the region")


def test_a_schema_version_from_the_future(city, tmp_path):
    refused(city.package(tmp_path / "p.tar.gz", {"organisations": [organisation(1)]}, version=2),
            "format version 2; this instance reads up to version 1")


def test_a_truncated_archive(city, tmp_path):
    archive = first_package(city, tmp_path)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    refused(archive, "truncated or damaged")


def test_a_reference_to_a_record_never_received(city, tmp_path):
    refused(city.package(tmp_path / "p.tar.gz", {"carriers": [carrier(10, 99)]}),
            "refers to organisations 320500:99, which was never received")


def test_a_table_not_shared_with_this_instance(province, tmp_path):
    child = Child(tables=["organisations"])
    refused(child.package(tmp_path / "p.tar.gz", {"organisations": [organisation(1)], "carriers": [carrier(2, 1)]}),
            "not set to share carriers")


def test_another_peer_may_not_overwrite_a_record_it_did_not_deliver(city, tmp_path):
    import_package(first_package(city, tmp_path))
    other = Child(code="320571", name="苏州工业园区", region="320571")  # claims a record Suzhou delivered
    archive = other.package(tmp_path / "p.tar.gz", {"carriers": [carrier(10, 1, changed=timezone.now())]})
    refused(archive, "carriers 320500:10 is received from another peer")


def test_a_firm_already_registered_here_is_linked_not_overwritten(city, tmp_path, world):
    archive = city.package(tmp_path / "p.tar.gz", {"firms": [{
        "_op": "upsert", "_origin": "320500", "_id": "5", "_changed": "2026-03-01T08:00:00Z",
        "name": "别名", "credit_code": world.firm_a.credit_code, "founded": "2023-03-01", "industry_field": "ai",
        "size_class": "micro", "listed_on": None, "listing_board": "", "acquired_on": None, "deregistered_on": None,
        "region": "320571"}]})
    log = import_package(archive)
    world.firm_a.refresh_from_db()
    assert (log.created, log.unchanged, world.firm_a.name) == (0, 1, "苏州微纳传感科技有限公司")
    assert FederatedRecord.objects.get(model="registry.firm").linked


def test_the_package_is_a_frictionless_data_package(city, tmp_path):
    import tarfile

    archive = first_package(city, tmp_path)
    with tarfile.open(archive) as tar:
        names = sorted(tar.getnames())
        descriptor = json.load(tar.extractfile("datapackage.json"))
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names == ["data/carriers.jsonl", "data/organisations.jsonl", "data/recognitions.jsonl",
                     "datapackage.json", "manifest.json", "manifest.sig"]
    assert descriptor["profile"] == "data-package" and descriptor["fuhua"]["version"] == 1
    carriers = next(r for r in descriptor["resources"] if r["name"] == "carriers")
    assert carriers["schema"]["primaryKey"] == ["_origin", "_id"]
    assert carriers["schema"]["foreignKeys"] == [
        {"fields": ["operator"], "reference": {"resource": "organisations", "fields": ["_origin", "_id"]}}]
    assert {f["path"] for f in manifest["files"]} == {"datapackage.json", "data/carriers.jsonl",
                                                      "data/organisations.jsonl", "data/recognitions.jsonl"}


def test_the_search_text_sent_is_used_only_when_it_holds_the_record_s_name(city, tmp_path):
    from fuhua.core.search import search_text

    code = credit_code("320500")
    sent = f"suzhouyunyingyouxiangongsi 苏州运营2有限公司 {code.lower()} szyyyxgs (as the origin wrote it)"
    import_package(city.package(tmp_path / "s.tar.gz", {"organisations": [
        organisation(1, _search="unrelated words"), organisation(2, credit_code=code, _search=sent)]}))
    one, two = (Organisation.objects.get(name=f"苏州运营{n}有限公司") for n in (1, 2))
    assert one.search == search_text(*one.search_parts())
    assert two.search == sent
