"""Export the changes since a position as a package; import a package, refusing it whole or applying it all.

The feed is the audit trail (core.models.ObjectChange): its ids only grow, every create, update and delete
of a shared table is in it (imports of children's records too, so a province passes its cities' records
on to the nation with their original provenance). A package from position P to Q carries the state, now,
of every shared record changed in (P, Q], and a tombstone for every one deleted; a package from 0 is a
full export of everything shared. Applying is idempotent (a record whose version is already here is left
alone) and resumable (the applied count is committed with each batch; a second run skips what the first
one committed).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fuhua.core.context import acting_as, change_reason
from fuhua.core.models import ObjectChange
from fuhua.registry.models import Region

from . import keys
from .guard import importing
from .models import FederatedRecord, Instance, Origin, PackageLog, Peer
from .package import FORMAT, FORMAT_VERSION, PackageRefused, PackageWriter, ReceivedPackage
from .tables import BY_KEY, TABLES, Table

BATCH = 2000
LOOKUP_CHUNK = 900  # ids per IN (…) query (SQLite's default limit on variables is 999)


class NotConfigured(Exception):
    pass


def this_instance() -> Instance:
    instance = Instance.objects.select_related("region").first()
    if instance is None:
        raise NotConfigured("This instance has no network identity yet: run `fuhua network init`.")
    return instance


def head_position() -> int:
    return ObjectChange.objects.aggregate(m=Max("id"))["m"] or 0


SETTLE_SECONDS = 30  # PostgreSQL: a change is exported once it is this old (see settled_position)


def settled_position() -> int:
    """The feed position a package may end at. SQLite has one writer at a time, so every id below the head
    is committed. On PostgreSQL ids are drawn when a row is written but become visible at commit, so a
    transaction still open could commit an id below the head later; a package then ends at the last change
    older than SETTLE_SECONDS (docs/federation.md: a transaction open longer is repaired by a full export)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return head_position()
    cutoff = timezone.now() - datetime.timedelta(seconds=SETTLE_SECONDS)
    return ObjectChange.objects.filter(time__lt=cutoff).aggregate(m=Max("id"))["m"] or 0


def _iso(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat() if hasattr(value, "isoformat") else value


def _chunks(items: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- export -------------------------------------------------------------------------------------------


class _Provenance:
    """Local id → (origin, source id, changed at) for federated copies; local records are our own."""

    def __init__(self, own_code: str):
        self.own = own_code
        self.cache: dict[str, dict[str, tuple]] = {}
        self.origins: dict[str, str] = {}
        self.present: dict[str, bool] = {}

    def load(self, model_label: str, local_ids) -> None:
        cache = self.cache.setdefault(model_label, {})
        wanted = [str(i) for i in local_ids if str(i) not in cache]
        if wanted and model_label not in self.present:
            self.present[model_label] = FederatedRecord.objects.filter(model=model_label, linked=False).exists()
        if not self.present.get(model_label):  # no copies of this table here: every record is our own
            cache.update(dict.fromkeys(wanted))
            return
        for chunk in _chunks(wanted):
            for local_id, origin, source_id, changed in (
                    FederatedRecord.objects.filter(model=model_label, local_id__in=chunk, linked=False)
                    .values_list("local_id", "origin_id", "source_id", "source_changed_at")):
                cache[local_id] = (origin, source_id, changed)
                if origin not in self.origins:
                    self.origins[origin] = Origin.objects.filter(code=origin).values_list("name", flat=True).first()
            for local_id in chunk:
                cache.setdefault(local_id, None)

    def of(self, model_label: str, local_id, changed) -> tuple[str, str, object]:
        found = self.cache.get(model_label, {}).get(str(local_id))
        return found if found else (self.own, str(local_id), changed)


def _export_fields(table: Table) -> list[str]:
    """The row a record is written from: pk, last change, columns, region codes, referenced ids, search text."""
    return ["pk", "updated_at", *table.columns, *(f"{n}_id" for n in table.regions),
            *(f"{n}_id" for n in table.refs), *(["search"] if table.searchable else [])]


def _record(table: Table, row: tuple, provenance: _Provenance) -> dict:
    """A package line from a `values_list` row (no model instances: the export streams plain tuples)."""
    pk, changed = row[0], row[1]
    origin, source_id, changed = provenance.of(table.model_label, pk, changed)
    record = {"_op": "upsert", "_origin": origin, "_id": source_id, "_changed": _iso(changed)}
    end = 2 + len(table.columns)
    record.update(zip(table.columns, row[2:end], strict=True))
    start, end = end, end + len(table.regions)
    record.update(zip(table.regions, row[start:end], strict=True))
    start, end = end, end + len(table.refs)
    for (name, target), ref in zip(table.refs.items(), row[start:end], strict=True):
        ref_origin, ref_id, _ = provenance.of(BY_KEY[target].model_label, ref, None)
        record[name] = {"origin": ref_origin, "id": ref_id}
    if table.searchable:
        record["_search"] = row[end]
    return record


EXPORT_CHUNK = 5000


def _write_objects(writer: PackageWriter, table: Table, queryset, provenance: _Provenance) -> None:
    rows = queryset.order_by("pk").values_list(*_export_fields(table)).iterator(chunk_size=EXPORT_CHUNK)
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= EXPORT_CHUNK:
            _flush(writer, table, batch, provenance)
            batch = []
    _flush(writer, table, batch, provenance)


def _flush(writer, table, rows, provenance) -> None:
    if not rows:
        return
    provenance.load(table.model_label, [r[0] for r in rows])
    start = 2 + len(table.columns) + len(table.regions)
    for index, target in enumerate(table.refs.values()):
        provenance.load(BY_KEY[target].model_label, {r[start + index] for r in rows})
    for row in rows:
        writer.write(table.key, _record(table, row, provenance))


def export_package(peer: Peer, out: Path, *, since: int | None = None, key=None) -> tuple[Path, dict]:
    """Write the package of what `peer` (our parent) receives: changes after `since` (default: the position
    it last acknowledged; 0: everything). Returns the file and the package's `fuhua` section."""
    instance = this_instance()
    since = peer.position if since is None else since
    tables = [t for t in TABLES if t.key in (peer.tables or [])]
    groups = [t.key for t in tables if t.model_label == "federation.figure"]
    if groups:  # this instance's own figures, current before the feed position is read
        from .figures import refresh

        refresh(instance, groups)
    to = max(settled_position(), since)
    writer = PackageWriter(source={"code": instance.code, "name": instance.name,
                                   "region": instance.region_id or ""},
                           target=peer.code, kind="full" if since == 0 else "changes",
                           from_position=since, to_position=to)
    provenance = _Provenance(instance.code)
    try:
        for table in tables:
            writer.add_resource(table)
        if since == 0:
            for table in tables:
                _write_objects(writer, table, table.rows(), provenance)
        else:
            _write_changes(writer, tables, since, to, provenance)
        writer.origins = {instance.code: instance.name, **provenance.origins}
        path = writer.finish(out, key)
    except BaseException:
        writer.discard()
        raise
    PackageLog.objects.create(direction=PackageLog.Direction.SENT, package_id=writer.package_id, peer=peer,
                              sender=instance.code, outcome=PackageLog.Outcome.SENT, from_position=since,
                              to_position=to, records=sum(writer.counts.values()))
    return path, writer.meta


def _write_changes(writer, tables, since: int, to: int, provenance: _Provenance) -> None:
    types: dict[int, list[Table]] = defaultdict(list)  # a model's tables (the figures' share one model)
    for table in tables:
        types[ContentType.objects.get_for_model(table.model).pk].append(table)
    last: dict[int, dict[str, tuple]] = defaultdict(dict)
    rows = (ObjectChange.objects.filter(id__gt=since, id__lte=to, content_type_id__in=list(types))
            .order_by("id").values_list("content_type_id", "object_id", "action", "time"))
    for type_id, object_id, action, time in rows.iterator(chunk_size=5000):
        last[type_id][object_id] = (action, time)
    for type_id, model_tables in types.items():  # in the order of `tables`: references before their users
        changed = last.get(type_id, {})
        if not changed:
            continue
        first = model_tables[0]
        model = first.model
        ids = list(changed)
        present = set()
        for chunk in _chunks(ids):
            present.update(str(pk) for pk in model._base_manager.filter(pk__in=chunk).values_list("pk", flat=True))
        for table in model_tables:
            _write_objects(writer, table, table.rows().filter(pk__in=[i for i in ids if i in present]), provenance)
        gone = [i for i in ids if i not in present]
        gone_sources = {}
        for chunk in _chunks(gone):
            for rec in FederatedRecord.objects.filter(model=first.model_label, local_id__in=chunk, linked=False
                                                      ).select_related("origin"):
                gone_sources[rec.local_id] = (rec.origin.code, rec.source_id)
                provenance.origins[rec.origin.code] = rec.origin.name
        for local_id in gone:  # a tombstone names the record only: the model's first table carries it
            origin, source_id = gone_sources.get(local_id, (provenance.own, local_id))
            writer.write(first.key, {"_op": "delete", "_origin": origin, "_id": source_id,
                                     "_changed": _iso(changed[local_id][1])})


# --- import -------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    peer: Peer
    package: ReceivedPackage
    resources: list[tuple[Table, dict]]  # in the package's order


def _refuse_log(package_id: str, peer: Peer | None, sender: str, reason: str, meta: dict | None = None) -> PackageLog:
    meta = meta or {}
    log = PackageLog.objects.create(
        direction=PackageLog.Direction.RECEIVED, package_id=package_id, peer=peer, sender=sender[:100],
        outcome=PackageLog.Outcome.REFUSED, reason=reason[:500],
        from_position=_int(meta.get("from_position")), to_position=_int(meta.get("to_position")))
    if peer is not None:
        Peer.objects.filter(pk=peer.pk).update(last_error=reason[:500], last_error_at=timezone.now())
    return log


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def import_package(archive: Path, *, batch_size: int = BATCH, actor=None, source: str = "cli") -> PackageLog:
    """Verify and apply a package received from a child. Refusals raise PackageRefused after logging it
    (nothing else is written); an interrupted import is resumed by importing the same package again."""
    with acting_as(actor, source=source):
        try:
            package = ReceivedPackage(Path(archive))
        except PackageRefused as exc:
            _refuse_log("", None, "", str(exc))
            raise
        with package:
            peer = None
            try:
                peer = _check(package)
                done = PackageLog.objects.filter(direction=PackageLog.Direction.RECEIVED,
                                                 package_id=package.package_id,
                                                 outcome=PackageLog.Outcome.IMPORTED).first()
                if done is not None:
                    return done  # the same package again changes nothing
                plan = _plan(peer, package)
                _precheck(plan)
            except PackageRefused as exc:
                _refuse_log(package.package_id, peer, package.sender, str(exc), package.meta)
                raise
            return _apply(plan, batch_size)


def _check(package: ReceivedPackage) -> Peer:
    instance = this_instance()
    peer = Peer.objects.select_related("region").filter(code=package.sender).first()
    if peer is None:
        raise PackageRefused("unknown_peer", sender=package.sender or "(none)")
    if peer.relation != Peer.Relation.CHILD:
        raise PackageRefused("from_parent", peer=peer)
    package.verify(peer.public_key)
    meta = package.meta
    if meta.get("format") != FORMAT:
        raise PackageRefused("not_a_package")
    version = _int(meta.get("version"))
    if version > FORMAT_VERSION:
        raise PackageRefused("future_version", version=version, supported=FORMAT_VERSION)
    if (meta.get("source") or {}).get("code") != peer.code or package.descriptor.get("id") != package.package_id:
        raise PackageRefused("descriptor_mismatch")
    if meta.get("target") != instance.code:
        raise PackageRefused("wrong_target", target=meta.get("target"), own=instance.code)
    already = PackageLog.objects.filter(direction=PackageLog.Direction.RECEIVED, package_id=package.package_id,
                                        outcome__in=[PackageLog.Outcome.IMPORTED, PackageLog.Outcome.APPLYING])
    if already.exists():
        return peer  # the same package again: idempotent (imported) or resumed (applying)
    start, end = _int(meta.get("from_position")), _int(meta.get("to_position"))
    if end <= peer.position:
        raise PackageRefused("replayed", end=end, peer=peer, position=peer.position)
    if meta.get("kind") != "full" and start > peer.position:
        raise PackageRefused("changes_missing", start=start, position=peer.position, peer=peer)
    return peer


def _plan(peer: Peer, package: ReceivedPackage) -> _Plan:
    resources = []
    accepted = set(peer.tables or [])
    for resource in package.resources():
        table = BY_KEY.get(resource.get("name"))
        if table is None:
            raise PackageRefused("unknown_table", table=repr(resource.get("name")))
        if table.key not in accepted:
            raise PackageRefused("table_not_shared", peer=peer, table=table.key)
        names = {f["name"] for f in resource.get("schema", {}).get("fields", [])}
        expected = {"_op", "_origin", "_id", "_changed", *table.columns, *table.regions, *table.refs}
        names |= set(table.optional)  # a package from before an optional column: its default is written
        if names - ({"_search"} if table.searchable else set()) != expected:
            raise PackageRefused("schema_differs", table=table.key, fields=sorted(names ^ expected))
        resources.append((table, resource))
    order = [t.key for t in TABLES]
    resources.sort(key=lambda item: order.index(item[0].key))
    return _Plan(peer, package, resources)


def _key(record: dict) -> tuple[str, str]:
    return str(record.get("_origin", "")), str(record.get("_id", ""))


def _precheck(plan: _Plan) -> None:
    """Read the whole package once and refuse it before anything is written: malformed records, regions
    outside the sender's, unknown regions, older versions than those held, references to nothing."""
    prefix, peer = plan.peer.region_prefix, plan.peer
    regions: set[str] = set()
    upserted: dict[str, set] = defaultdict(set)
    wanted_refs: dict[str, set] = defaultdict(set)
    for table, resource in plan.resources:
        # versions and peers are compared only where mappings of the table are held (none in a first import)
        held_any = FederatedRecord.objects.filter(model=table.model_label).exists()
        pending: list[dict] = []
        for record in plan.package.records(resource):
            op, (origin, source_id) = record.get("_op"), _key(record)
            if op not in ("upsert", "delete") or not origin or not source_id:
                raise PackageRefused("bad_record", table=table.key)
            if not isinstance(record.get("_changed"), str) or parse_datetime(record["_changed"]) is None:
                raise PackageRefused("bad_time", table=table.key, record=f"{origin}:{source_id}")
            if op == "upsert":
                codes = [record.get(name) for name in table.regions]
                if any(c is not None and not isinstance(c, str) for c in codes):
                    raise PackageRefused("region_not_code", table=table.key, record=f"{origin}:{source_id}")
                regions.update(c for c in codes if c)
                claimed = [record.get(name) for name in table.claims if record.get(name)]
                if table.claims and not any(c.startswith(prefix) for c in claimed):
                    raise PackageRefused("outside_region", table=table.key, record=f"{origin}:{source_id}",
                                         regions=", ".join(claimed) or "?", peer=peer, prefix=prefix)
                if (origin, source_id) in upserted[table.key]:
                    raise PackageRefused("twice", table=table.key, record=f"{origin}:{source_id}")
                upserted[table.key].add((origin, source_id))
                for name, target in table.refs.items():
                    ref = record.get(name)
                    if not isinstance(ref, dict) or not ref.get("origin") or not ref.get("id"):
                        raise PackageRefused("not_a_reference", table=table.key, record=f"{origin}:{source_id}",
                                             field=name)
                    wanted_refs[target].add((str(ref["origin"]), str(ref["id"])))
            if held_any:
                pending.append(record)
            if len(pending) >= LOOKUP_CHUNK:
                _check_versions(table, pending, peer)
                pending = []
        _check_versions(table, pending, peer)
    known = set()
    for chunk in _chunks(sorted(regions)):
        known.update(Region.objects.filter(code__in=chunk).values_list("code", flat=True))
    if regions - known:
        raise PackageRefused("unknown_regions", codes=", ".join(sorted(regions - known)[:5]))
    for target, refs in wanted_refs.items():
        missing = refs - upserted[target]
        if missing:
            found = _existing(BY_KEY[target], missing)
            missing -= {k for k, rec in found.items() if not rec.deleted}
        if missing:
            origin, source_id = sorted(missing)[0]
            raise PackageRefused("never_received", table=target, record=f"{origin}:{source_id}")


def _existing(table: Table, keys_: set | list) -> dict[tuple[str, str], FederatedRecord]:
    """The mappings held for these (origin, source id) keys, read by origin so that each query walks the unique
    index (model, origin, source id): without the origin it scans every mapping of the model, which made an
    import quadratic in the records already held."""
    found = {}
    by_origin = defaultdict(set)
    for origin, source_id in keys_:
        by_origin[origin].add(source_id)
    for origin, ids in by_origin.items():
        for chunk in _chunks(sorted(ids)):
            for rec in FederatedRecord.objects.filter(model=table.model_label, origin_id=origin, source_id__in=chunk):
                found[(rec.origin_id, rec.source_id)] = rec
    return found


def _check_versions(table: Table, records: list[dict], peer: Peer) -> None:
    if not records:
        return
    held = _existing(table, [_key(r) for r in records])
    for record in records:
        rec = held.get(_key(record))
        if rec is None:
            continue
        if rec.peer_id != peer.pk:
            raise PackageRefused("other_peer", table=table.key, record=f"{rec.origin_id}:{rec.source_id}", peer=peer)
        if parse_datetime(record["_changed"]) < rec.source_changed_at:
            raise PackageRefused("older_version", table=table.key, record=f"{rec.origin_id}:{rec.source_id}",
                                 changed=record["_changed"], held=_iso(rec.source_changed_at))


def _stream(plan: _Plan):
    """Every record in applying order: upserts table by table (references first), then deletions in reverse."""
    for table, resource in plan.resources:
        for record in plan.package.records(resource):
            if record["_op"] == "upsert":
                yield table, record
    for table, resource in reversed(plan.resources):
        for record in plan.package.records(resource):
            if record["_op"] == "delete":
                yield table, record


def _apply(plan: _Plan, batch_size: int) -> PackageLog:
    package, peer, meta = plan.package, plan.peer, plan.package.meta
    log, _ = PackageLog.objects.get_or_create(
        direction=PackageLog.Direction.RECEIVED, package_id=package.package_id, outcome=PackageLog.Outcome.APPLYING,
        defaults={"peer": peer, "sender": peer.code, "from_position": _int(meta.get("from_position")),
                  "to_position": _int(meta.get("to_position")),
                  "records": sum(_int(r.get("fuhua:records")) for _, r in plan.resources)})
    origins = {}
    for code, name in (meta.get("origins") or {}).items():
        origin, _ = Origin.objects.get_or_create(code=str(code)[:16], defaults={"name": str(name)[:100], "via": peer})
        origins[origin.code] = origin
    skip = log.applied
    batch: list[tuple[Table, dict]] = []
    with importing(), change_reason(f"one network: package {package.package_id} from {peer.code}"):
        for position, item in enumerate(_stream(plan)):
            if position < skip:
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                _apply_batch(log, peer, origins, batch)
                batch = []
        with transaction.atomic():
            _apply_batch(log, peer, origins, batch)
            log.outcome = PackageLog.Outcome.IMPORTED
            log.save(update_fields=["outcome", "updated_at"])
            for stale in PackageLog.objects.filter(direction=PackageLog.Direction.RECEIVED, peer=peer,
                                                   outcome=PackageLog.Outcome.APPLYING).exclude(pk=log.pk):
                stale.outcome = PackageLog.Outcome.SUPERSEDED  # an interrupted import a later package covered
                stale.save(update_fields=["outcome", "updated_at"])
            Peer.objects.filter(pk=peer.pk).update(position=_int(meta.get("to_position")),
                                                    last_sync_at=timezone.now(), last_error="", last_error_at=None)
    return log


@transaction.atomic
def _apply_batch(log: PackageLog, peer: Peer, origins: dict, batch: list) -> None:
    """Apply a batch in one transaction: new records of a table in bulk (audited with record_bulk), changes and
    deletions one by one; the applied count is committed with them (what a resumed import skips)."""
    if not batch:
        return
    groups: list[tuple[Table, list[dict]]] = []  # consecutive records of one table and one kind of operation
    for table, record in batch:
        if groups and groups[-1][0] is table and groups[-1][1][0]["_op"] == record["_op"]:
            groups[-1][1].append(record)
        else:
            groups.append((table, [record]))
    for table, records in groups:
        held = _existing(table, [_key(r) for r in records])
        refs = _RefCache(table, records)
        if records[0]["_op"] == "delete":
            outcomes = [_delete(table, r, peer, origins, held) for r in records]
        else:
            fresh = _fresh(table, records, held)
            outcomes, updated = _update_many(table, [r for r in records if _key(r) not in fresh], held, refs)
            outcomes += [_upsert(table, r, peer, origins, held, refs) for r in records
                         if _key(r) not in fresh and _key(r) not in updated]
            outcomes += _create_many(table, [r for r in records if _key(r) in fresh], peer, origins, held, refs)
        for outcome in outcomes:
            setattr(log, outcome, getattr(log, outcome) + 1)
    log.applied += len(batch)
    log.save(update_fields=["applied", "created", "updated", "deleted", "unchanged", "updated_at"])


class _RefCache:
    """Local ids of the records a group of records refers to, looked up once per group."""

    def __init__(self, table: Table, records: list[dict]):
        self.ids: dict[tuple[str, str, str], str] = {}
        for name, target in table.refs.items():
            wanted = {(str(r[name]["origin"]), str(r[name]["id"])) for r in records if r["_op"] == "upsert"}
            pk = BY_KEY[target].model._meta.pk
            for key, rec in _existing(BY_KEY[target], wanted).items():
                if not rec.deleted:  # the local id as the key's type: it is matched against loaded rows' keys
                    self.ids[(target, *key)] = pk.to_python(rec.local_id)

    def local_id(self, target: str, ref: dict) -> str:
        key = (target, str(ref["origin"]), str(ref["id"]))
        if key not in self.ids:
            raise PackageRefused("reference_missing", table=target, record=f"{ref['origin']}:{ref['id']}")
        return self.ids[key]


def _fresh(table: Table, records: list[dict], held: dict) -> set:
    """Keys of records new here: never received (or deleted before) and not matched by a natural key."""
    fresh = {_key(r) for r in records if _key(r) not in held or held[_key(r)].deleted}
    if table.natural_key and fresh:
        values = {r.get(table.natural_key): _key(r) for r in records if _key(r) in fresh}
        taken = set()
        for chunk in _chunks([v for v in values if v]):
            taken.update(table.model._base_manager.filter(**{f"{table.natural_key}__in": chunk})
                         .values_list(table.natural_key, flat=True))
        fresh -= {values[v] for v in taken}
    seen, unique = set(), set()
    for record in records:  # a key twice in one group: the first creates, the rest go one by one
        key = _key(record)
        if key in fresh and key not in seen:
            unique.add(key)
        seen.add(key)
    return unique


def reserve_ids(model, count: int) -> list[int]:
    """`count` primary keys for rows about to be inserted with core.bulk.insert_rows (which returns none): the
    next values of the table's sequence on PostgreSQL; on SQLite (one writer, and an import batch holds the write
    lock: transaction_mode IMMEDIATE) the ids after the highest ever given (AUTOINCREMENT's own counter too, so a
    deleted record's id is never reused: a mapping of a deleted copy still names it)."""
    from django.db import connection

    if not count:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quoted(column)}) FROM {quoted(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        return list(range(start, start + count))


def _insert(model, objects: list, fields: list[str]) -> None:
    """Insert model instances whose values are clean (read from a verified package) through core.bulk: their ids
    drawn first (reserve_ids), so the objects can be audited and mapped without reading them back."""
    from fuhua.core.bulk import insert_rows

    for obj, pk in zip(objects, reserve_ids(model, len(objects)), strict=True):
        obj.pk = pk
        obj._state.adding = False
    attnames = [model._meta.pk.attname, *fields]
    insert_rows(model, attnames, ([getattr(obj, name) for name in attnames] for obj in objects))


def _create_many(table: Table, records: list[dict], peer: Peer, origins: dict, held: dict, refs) -> list[str]:
    """New records of a table in bulk: the rows, their mappings, and one audit entry per record with the record as
    received (its columns and provenance: `_received`); the package is named in the entry's reason. The mapping
    rows get no entries of their own: their content (origin, source id, version) is in the record's entry."""
    if not records:
        return []
    from fuhua.core.audit import record_entries

    model = table.model
    objects = [model(**_values(table, r, refs)) for r in records]
    if table.searchable:  # SearchableModel fills its search column in save(), which bulk skips
        for record, obj in zip(records, objects, strict=True):
            obj.search = _search(record, obj)
    _insert(model, objects, _write_fields(table))
    _attach_refs(table, objects)
    record_entries(model, "create", ((obj.pk, str(obj), None, _received(record))
                                     for record, obj in zip(records, objects, strict=True)))
    mappings = []  # new mappings as rows (no instances: the group ends here, nothing reads them back)
    for record, obj in zip(records, objects, strict=True):
        key, changed = _key(record), parse_datetime(record["_changed"])
        rec = held.get(key)
        if rec is None:
            mappings.append((table.model_label, str(obj.pk), _origin(origins, key[0], peer).code, key[1], changed,
                             peer.pk, False, False))
            continue
        rec.local_id, rec.source_changed_at, rec.peer_id = str(obj.pk), changed, peer.pk  # deleted here before
        rec.linked = rec.deleted = False
        rec.save()
    from fuhua.core.bulk import insert_rows

    insert_rows(FederatedRecord, ["model", "local_id", "origin_id", "source_id", "source_changed_at", "peer_id",
                                  "linked", "deleted"], mappings)
    return ["created"] * len(records)


def _received(record: dict) -> dict:
    """A record's audit entry: its columns and provenance as the package carries them (_origin, _id, _changed;
    references as {"origin", "id"}), without the operation and the search text."""
    return {name: value for name, value in record.items() if name not in ("_op", "_search")}


def _write_fields(table: Table) -> list[str]:
    """The attnames an import writes: the columns, region codes, references, search text (the other columns take
    their defaults, the time stamps now: core.bulk)."""
    return [*table.columns, *(f"{n}_id" for n in table.regions), *(f"{n}_id" for n in table.refs),
            *(["search"] if table.searchable else [])]


def _search(record: dict, obj) -> str:
    """The search text the origin sent (its pinyin costs most of an import to compute again), used when it is
    what the record's own words lead to; otherwise computed here."""
    from fuhua.core.search import search_text

    parts = [p for p in obj.search_parts() if p]
    sent = record.get("_search")
    if isinstance(sent, str) and parts and all(p.lower() in sent for p in parts):
        return sent
    return search_text(*parts)


def _attach_refs(table: Table, objects: list) -> None:
    """The records these objects refer to, read once per group and set on them: the audit's text of a record
    (str(), e.g. a tenancy's names its firm and carrier) must not read its references row by row (a query per
    row was most of a province's import). Read with their names only: every shared table a reference points to
    (organisations, firms, carriers, mentors) is named by its `name`."""
    for name in table.refs:
        field = table.model._meta.get_field(name)
        ids = {getattr(obj, field.attname) for obj in objects} - {None}
        targets = {}
        for chunk in _chunks(sorted(ids)):
            targets.update(field.related_model._base_manager.only("name").in_bulk(chunk))
        for obj in objects:
            target = targets.get(getattr(obj, field.attname))
            if target is not None:
                setattr(obj, name, target)


def _update_many(table: Table, records: list[dict], held: dict, refs) -> tuple[list[str], set]:
    """Newer versions of copies held here, in bulk: one read, one bulk_update, one audit entry a record (its
    before and after, as single saves write them, with the versions and the provenance: `_changed` before and
    after, `_origin` and `_id`; the mapping's new version gets no entry of its own). Returns the outcomes and the
    keys applied; the rest (unchanged, linked, deleted or missing rows) are left to _upsert one by one."""
    from fuhua.core.audit import record_entries, snapshot

    done: set = set()
    counts: dict[tuple, int] = defaultdict(int)
    for record in records:
        counts[_key(record)] += 1
    wanted = {}
    for record in records:
        key, rec = _key(record), held.get(_key(record))
        if (counts[key] == 1 and rec is not None and not rec.linked and not rec.deleted
                and rec.source_changed_at < parse_datetime(record["_changed"])):
            wanted[rec.local_id] = record
    if not wanted:
        return [], done
    model, now = table.model, timezone.now()
    objects = []
    for chunk in _chunks(list(wanted)):
        objects += model._base_manager.filter(pk__in=chunk)
    before, mappings = {}, []
    for obj in objects:
        record = wanted[str(obj.pk)]
        rec = held[_key(record)]
        before[obj.pk] = {**snapshot(obj), "_changed": _iso(rec.source_changed_at)}
        for name, value in _values(table, record, refs).items():
            setattr(obj, name, value)
        if table.searchable:
            obj.search = _search(record, obj)
        obj.updated_at = now  # auto_now is not applied by bulk_update
        rec.source_changed_at = parse_datetime(record["_changed"])
        mappings.append(rec)
        done.add(_key(record))
    fields = [*table.columns, *(f"{n}_id" for n in table.regions), *(f"{n}_id" for n in table.refs),
              *(["search"] if table.searchable else []), "updated_at"]
    _update_rows(model, fields, objects)
    _attach_refs(table, objects)
    record_entries(model, "update", (
        (obj.pk, str(obj), before[obj.pk], {**snapshot(obj), "_origin": rec.origin_id, "_id": rec.source_id,
                                            "_changed": _iso(rec.source_changed_at)})
        for obj, rec in zip(objects, mappings, strict=True)))
    _update_rows(FederatedRecord, ["source_changed_at"], mappings)
    return ["updated"] * len(objects), done


def _update_rows(model, attnames: list[str], objects: list) -> None:
    """UPDATE the given columns of these rows, one prepared statement for all (executemany). Django's
    bulk_update builds a CASE expression per row and column: 1,000 firms of an incremental sync cost it ~3 s."""
    from django.db import connection

    meta, quote = model._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in attnames]
    sql = (f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "  # noqa: S608
           f"WHERE {quote(meta.pk.column)} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields),
                                  obj.pk) for obj in objects])


def _origin(origins: dict, code: str, peer: Peer) -> Origin:
    if code not in origins:
        origins[code], _ = Origin.objects.get_or_create(code=code[:16], defaults={"name": code, "via": peer})
    return origins[code]


def _values(table: Table, record: dict, refs: _RefCache) -> dict:
    """The field values of a received record. Its `table.states` (a carrier's status) are written here outside
    their workflow, on purpose: the transition happened at the source, the copy is read-only (tables.py)."""
    model = table.model
    values = {}
    for name in table.columns:
        field = model._meta.get_field(name)
        if name in table.optional and name not in record:
            values[name] = field.get_default()  # a package from before the column (tables.Table.optional)
            continue
        values[name] = field.to_python(record.get(name))
    for name in table.regions:
        values[f"{name}_id"] = record.get(name) or None
    for name, target in table.refs.items():
        values[f"{name}_id"] = refs.local_id(target, record[name])
    return values


def _upsert(table: Table, record: dict, peer: Peer, origins: dict, held: dict, refs: _RefCache) -> str:
    key, changed = _key(record), parse_datetime(record["_changed"])
    rec = held.get(key)
    if rec is not None and (rec.source_changed_at >= changed or rec.linked):
        if rec.linked and rec.source_changed_at < changed:
            rec.source_changed_at = changed
            rec.save(update_fields=["source_changed_at"])
        return "unchanged"
    model, values = table.model, _values(table, record, refs)
    if rec is not None and not rec.deleted:
        obj = model._base_manager.filter(pk=rec.local_id).first()
        if obj is not None:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save()
            rec.source_changed_at = changed
            rec.save(update_fields=["source_changed_at"])
            return "updated"
    linked = False
    obj = None
    if table.natural_key and values.get(table.natural_key):
        obj = model._base_manager.filter(**{table.natural_key: values[table.natural_key]}).first()
        linked = obj is not None  # a record this instance already holds (its own, or from another source)
    if obj is None:
        obj = model(**values)
        obj.save()
    if rec is None:
        rec = FederatedRecord(model=table.model_label, origin=_origin(origins, key[0], peer), source_id=key[1])
    rec.local_id, rec.source_changed_at, rec.peer, rec.linked, rec.deleted = str(obj.pk), changed, peer, linked, False
    rec.save()
    held[key] = rec
    return "unchanged" if linked else "created"


def _delete(table: Table, record: dict, peer: Peer, origins: dict, held: dict) -> str:
    key, changed = _key(record), parse_datetime(record["_changed"])
    rec = held.get(key)
    if rec is None:
        rec = FederatedRecord(model=table.model_label, origin=_origin(origins, key[0], peer), source_id=key[1],
                              local_id="", peer=peer, source_changed_at=changed, deleted=True)
        rec.save()
        held[key] = rec
        return "unchanged"
    if rec.deleted or rec.source_changed_at > changed:
        return "unchanged"
    if not rec.linked:
        obj = table.model._base_manager.filter(pk=rec.local_id).first()
        if obj is not None:
            obj.delete()
    rec.deleted, rec.source_changed_at = True, changed
    rec.save(update_fields=["deleted", "source_changed_at"])
    return "deleted"


def ensure_identity(*, code: str, name: str, region_code: str | None, url: str = "") -> Instance:
    """Create this instance's identity and signing key (once); the key file is never overwritten."""
    if Instance.objects.exists():
        raise NotConfigured(f"This instance is already {this_instance()}.")
    path = keys.key_path()
    key = keys.load_key(path) if path.exists() else keys.generate_key(path)
    return Instance.objects.create(code=code, name=name, region_id=region_code or None,
                                   public_key=keys.public_key_text(key), url=url)
