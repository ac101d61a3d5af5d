"""Test kit of the one network: instances and peers, and packages as a child instance would send them."""

from __future__ import annotations

import datetime
import io
import tarfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from fuhua.testing import ModelFactory, credit_code

from .keys import public_key_text
from .models import FederatedRecord, Figure, Instance, Origin, PackageLog, Peer
from .package import PackageWriter
from .tables import BY_KEY, DEFAULT_TABLES


def identity(code: str = "320000", name: str = "江苏省", region: str | None = "320000",
             key: Ed25519PrivateKey | None = None) -> tuple[Instance, Ed25519PrivateKey]:
    key = key or Ed25519PrivateKey.generate()
    return Instance.objects.create(code=code, name=name, region_id=region, public_key=public_key_text(key)), key


class Child:
    """A child instance (a city) producing signed packages for the instance under test, its parent."""

    def __init__(self, code: str = "320500", name: str = "苏州市", region: str = "320500", *, register: bool = True,
                 tables=None, key: Ed25519PrivateKey | None = None):
        self.code, self.name, self.region = code, name, region
        self.key = key or Ed25519PrivateKey.generate()
        self.position = 0
        self.peer = None
        if register:
            self.peer = Peer.objects.create(code=code, name=name, relation=Peer.Relation.CHILD, region_id=region,
                                            public_key=public_key_text(self.key), url="http://127.0.0.1:9/",
                                            tables=list(tables or DEFAULT_TABLES))

    def package(self, out: Path, tables: dict[str, list[dict]], *, target: str = "320000", start: int | None = None,
                end: int | None = None, kind: str | None = None, version: int | None = None,
                key: Ed25519PrivateKey | None = None) -> Path:
        start = self.position if start is None else start
        end = (start + max(1, sum(len(v) for v in tables.values()))) if end is None else end
        writer = PackageWriter(source={"code": self.code, "name": self.name, "region": self.region}, target=target,
                               kind=kind or ("full" if start == 0 else "changes"), from_position=start,
                               to_position=end, origins={self.code: self.name})
        if version is not None:
            writer.meta["version"] = version
        for key_ in tables:
            writer.add_resource(BY_KEY[key_])
            for record in tables[key_]:
                writer.write(key_, record)
        self.position = end
        return writer.finish(out, key or self.key)


def record(table: str, source_id, changed: datetime.datetime | None = None, *, op: str = "upsert", origin="320500",
           **values) -> dict:
    changed = changed or timezone.now()
    return {"_op": op, "_origin": origin, "_id": str(source_id),
            "_changed": changed.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"), **values}


def organisation(source_id, region="320571", **values) -> dict:
    return record("organisations", source_id, name=values.pop("name", f"苏州运营{source_id}有限公司"),
                  credit_code=values.pop("credit_code", credit_code("320500")), kind="enterprise",
                  ownership="private", founded=None, region=region, **values)


def carrier(source_id, operator_id, region="320571", **values) -> dict:
    base = dict(name=f"苏州孵化器{source_id}", kind="incubator", demo_base_type="", address="",
                established="2015-06-01", incubation_area_m2=12000, tenant_area_m2=9500, workstations=300,
                specialisation="comprehensive", industry_field="", has_tech_platform=False, status="operating",
                region=region, administering_region=None, operator={"origin": values.pop("operator_origin", "320500"),
                                                     "id": str(operator_id)})
    changed = values.pop("changed", None)
    base.update(values)
    return record("carriers", source_id, changed, **base)


def recognition(source_id, carrier_id, **values) -> dict:
    base = dict(level="national", kind="recognition", carrier_kind="incubator", authority="科学技术部",
                document_number=f"国科发区〔2019〕{source_id}号", granted_on="2019-12-01", valid_until=None,
                revoked_on=None, revoked_reason="", national_grade="", carrier={"origin": "320500",
                                                                             "id": str(carrier_id)})
    base.update(values)
    return record("recognitions", source_id, **base)


def firm(source_id, region="320571", origin="320500", **values) -> dict:
    base = dict(name=f"苏州科技{source_id}有限公司", credit_code=credit_code("320500"), founded="2020-03-01",
                industry_field="ai", size_class="small", listed_on=None, listing_board="", acquired_on=None,
                deregistered_on=None, region=region)
    base.update(values)
    return record("firms", source_id, origin=origin, **base)


def incubation(source_id, firm_id, carrier_id, origin="320500", **values) -> dict:
    base = dict(status="incubating", applied_on=None, entered_on="2022-03-01", left_on=None,
                firm={"origin": origin, "id": str(firm_id)}, carrier={"origin": origin, "id": str(carrier_id)})
    base.update(values)
    return record("incubations", source_id, origin=origin, **base)


def mentor(source_id, region="320500", **values) -> dict:
    base = dict(name=f"导师{source_id}", title="教授", employer="苏州大学", industry_field="ai", full_time=False,
                region=region)
    base.update(values)
    return record("mentors", source_id, **base)


def pool_entry(source_id, mentor_id, **values) -> dict:
    base = dict(specialities="融资、市场", capacity=3, active=True, profile={"origin": "320500", "id": str(mentor_id)})
    base.update(values)
    return record("pool", source_id, **base)


def figure(source_id, group="statistics", measure="statistics:tenants", region="320571", year=2025, value=60,
           origin="320500", **values) -> dict:
    return record(group, source_id, origin=origin, source=origin, group=group, measure=measure, region=region,
                  year=year, value=value, **values)


def tombstone(table: str, source_id, changed=None) -> dict:
    return record(table, source_id, changed, op="delete")


def rewrite_member(archive: Path, name: str, transform) -> None:
    """Rewrite one file inside an archive (keeping the signed manifest as it was): a tampered package."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            if member.name == name:
                data = transform(data)
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


def audit_factories() -> dict[str, tuple]:
    """The audit test's factories (core/tests/test_audit.py): label → (create(world), change)."""
    return {label: (f.create, f.change) for label, f in AUDIT_FACTORIES.items()}


# The audit test's factories (core/tests/test_audit.py FACTORIES), in the shape of fuhua.testing's.
AUDIT_FACTORIES: dict[str, ModelFactory] = {
    "federation.instance": ModelFactory(lambda w: identity()[0], {"name": "江苏省科技厅"}),
    "federation.peer": ModelFactory(lambda w: Child(register=True).peer, {"name": "苏州市科技局"}),
    "federation.origin": ModelFactory(lambda w: Origin.objects.create(code="320583", name="昆山市",
                                                                      via=Child(register=True).peer),
                                      {"name": "昆山市科技局"}),
    "federation.figure": ModelFactory(lambda w: Figure.objects.create(
        source="320500", group="payouts", measure="payouts:count", region=w.regions.sz, year=2025, value=3),
        {"value": 4}),
    "federation.packagelog": ModelFactory(lambda w: PackageLog.objects.create(
        direction="received", outcome="refused", reason="test"), {"reason": "changed"}),
    "federation.federatedrecord": ModelFactory(lambda w: FederatedRecord.objects.create(
        model="registry.carrier", local_id=str(w.carrier_a.pk), source_id="1", source_changed_at=timezone.now(),
        origin=Origin.objects.create(code="320582", name="张家港市", via=Child(code="320582").peer),
        peer=Peer.objects.get(code="320582"), linked=True), {"source_id": "2"}),
}
