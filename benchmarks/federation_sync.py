"""One network at scale: a province pulled by the nation over HTTP from scratch, an incremental sync of 1,000
changes, and the nation importing 31 province packages (the national demo split by province).

    .venv/bin/python benchmarks/federation_sync.py [--dir DIR] [--changes 1000]
                                                   [--national-db PATH] [--provinces 31] [--skip-province]

Real instances, each its own FUHUA_HOME (SQLite) and processes:

1. **Full sync** (goal ≤ 60 s): Jiangsu (`fuhua demo --scale province`: ~2,200 carriers, ~77,000 tenant firms and
   their tenancies, a year of statistics and more as shared figures) serving with `fuhua serve`; the nation, a
   fresh database, runs `fuhua network sync` from position 0: the province exports (its server process), sends
   over HTTP, the nation verifies and imports.
   *Baseline*: the same package's records parsed and inserted raw (one JSON row each, no checks, provenance or
   audit) into a scratch SQLite table in this process: what reading and writing those records costs on this
   machine at this moment.
2. **Incremental sync** of `--changes` firms changed at the province (goal ≤ 5 s).
   *Baseline*: a sync with nothing changed just before (process start, signed HTTP round trip, an empty package).
3. **The nation importing 31 province packages** (goal ≤ 10 min, memory bounded), with `--national-db` (a
   `fuhua demo --scale national` database, copied, never changed): the national instance's full export is split
   by province (each record to the province of its region; a tenancy whose firm lies in another province is left
   out, an operator in another province is copied into its carrier's package) and signed by 31 province keys;
   a fresh nation registers the 31 children and imports the packages one after another (`fuhua network import`,
   a process each), reporting the peak resident memory of the largest import. *Baseline*: the raw floor as in 1.
   The demo's directory must hold a `.built` file, touched when the demo finished (a database still being built
   is refused rather than copied half-made).

Each figure is wall time and CPU time (user + system of the processes doing the work: the machine is shared,
CPU time does not depend on the load); the load average is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from fuhua.federation.network_demo import ADMIN, Node, free_port, fuhua_command, stop

CLK = os.sysconf("SC_CLK_TCK")


def run_measured(node: Node, *args: str, timeout: float = 7200) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds and peak RSS (MB) of `fuhua <args>` at `node` (os.wait4: that process only)."""
    started = time.monotonic()
    process = subprocess.Popen([*fuhua_command(), *args], env=node.env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    output = process.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"fuhua {' '.join(args)} failed ({process.returncode}):\n{output[-3000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, output.strip()


def session_cpu(session: int) -> float:
    """CPU seconds used so far by every process of a session (a `fuhua serve` and its workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # fields after the name: state ppid pgrp session …
            total += int(fields[11]) + int(fields[12])
    return total / CLK


def floor(archives: list[Path]) -> tuple[float, float, int]:
    """The baseline: every record of the packages parsed and inserted raw into a scratch SQLite table."""
    import orjson

    started, cpu = time.monotonic(), time.process_time()
    with tempfile.TemporaryDirectory() as scratch:
        db = sqlite3.connect(Path(scratch) / "floor.sqlite3")
        db.execute("CREATE TABLE record (id INTEGER PRIMARY KEY, tbl TEXT, origin TEXT, source TEXT, data TEXT)")
        count = 0
        for archive in archives:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar:
                    if not member.name.endswith(".jsonl"):
                        continue
                    rows = []
                    for line in tar.extractfile(member):
                        record = orjson.loads(line)
                        rows.append((member.name, record["_origin"], record["_id"], line))
                        if len(rows) >= 2000:
                            db.executemany("INSERT INTO record (tbl, origin, source, data) VALUES (?, ?, ?, ?)",
                                           rows)
                            count += len(rows)
                            rows = []
                    db.executemany("INSERT INTO record (tbl, origin, source, data) VALUES (?, ?, ?, ?)", rows)
                    count += len(rows)
            db.commit()
        db.close()
    return time.monotonic() - started, time.process_time() - cpu, count


def line(label: str, seconds: float, cpu: float, goal: str = "", extra: str = "") -> str:
    load = os.getloadavg()[0]
    return f"{label}: {seconds:.1f} s wall, {cpu:.1f} s CPU{f'  [goal {goal}]' if goal else ''}  (load {load:.1f})" + (
        f"  {extra}" if extra else "")


def prepare(node: Node, *, parent: Node | None = None, children: list[tuple[str, str, str, str]] = ()) -> None:
    """This node's identity (kept if its demo made one), an administrator, and its peers."""
    from fuhua.federation import keys

    path = node.home / "federation" / "instance_ed25519.pem"
    node.public_key = keys.public_key_text(keys.load_key(path) if path.exists() else keys.generate_key(path))
    peers = []
    if parent is not None:
        peers.append(("parent", parent.code, parent.name, parent.public_key, parent.region, ""))
    peers += [("child", code, name, key, region, url) for code, name, key, region, url in children]
    node.python(
        "from django.contrib.auth import get_user_model\n"
        "from fuhua.core.context import acting_as\n"
        "from fuhua.federation.exchange import ensure_identity\n"
        "from fuhua.federation.models import Instance\n"
        "from fuhua.federation.models import Peer\n"
        "from fuhua.federation.services import register_peer\n"
        f"admin = get_user_model().objects.filter(username={ADMIN!r}).first() or get_user_model().objects."
        f"create_superuser({ADMIN!r}, 'netadmin@example.cn', {node.password!r})\n"
        "with acting_as(None, source='cli'):\n"
        f"    Instance.objects.filter(code__in=[{node.code!r}, 'CN', '320000']).exclude(public_key={node.public_key!r})"
        ".delete()\n"
        "    if not Instance.objects.exists():\n"
        f"        ensure_identity(code={node.code!r}, name={node.name!r}, region_code={node.region!r}, "
        f"url={node.url!r})\n"
        "with acting_as(admin, source='cli'):\n"
        + "".join(f"    Peer.objects.filter(code={code!r}).update(public_key={key!r}, url={url!r})\n"
                  f"    if not Peer.objects.filter(code={code!r}).exists():\n"
                  f"        register_peer(admin, relation={rel!r}, code={code!r}, name={name!r}, public_key={key!r}, "
                  f"region_code={region!r}, url={url!r})\n" for rel, code, name, key, region, url in peers)
        + "    pass\nprint('null')")


def fresh(node: Node, template: Path) -> None:
    shutil.rmtree(node.home, ignore_errors=True)
    node.home.mkdir(parents=True)
    shutil.copy(template, node.home / "fuhua.sqlite3")


# --- 1 and 2: a province over HTTP -------------------------------------------------------------------------


def province_runs(base: Path, changes: int, template: Path) -> None:
    nation = Node("CN", "全国", None, base / "nation", free_port())
    province = Node("320000", "江苏省", "320000", base / "jiangsu", free_port(), parent=nation)
    if not (province.home / "fuhua.sqlite3").exists() or not (province.home / "demo-done").exists():
        shutil.rmtree(province.home, ignore_errors=True)
        province.home.mkdir(parents=True)
        started = time.monotonic()
        province.run("demo", "--scale", "province", "--no-serve", timeout=7200)
        (province.home / "demo-done").write_text("")
        print(f"setup: the province demo in {time.monotonic() - started:.1f} s")
    province.run("manage", "migrate", "-v", "0", timeout=1200)
    fresh(nation, template)
    from fuhua.federation import keys

    nation.public_key = keys.public_key_text(keys.generate_key(nation.home / "federation" / "instance_ed25519.pem"))
    prepare(province, parent=nation)
    prepare(nation, children=[(province.code, province.name, province.public_key, province.region, province.url)])
    counts = province.python(
        "import json; from fuhua.registry.models import Carrier, Firm, Organisation, Recognition; "
        "from fuhua.incubation.models import Incubation; from fuhua.statistics.models import AnnualReport; "
        "print(json.dumps([m.objects.count() for m in (Organisation, Firm, Carrier, Recognition, Incubation, "
        "AnnualReport)]))")
    print("province: {} organisations, {} firms, {} carriers, {} recognitions, {} tenancies, {} annual reports"
          .format(*counts))
    province.serve()
    try:
        province.wait_until_serving()
        session = province.server.pid
        server_cpu = session_cpu(session)
        seconds, cpu, rss, output = run_measured(nation, "network", "sync")
        export_cpu = session_cpu(session) - server_cpu
        print(line("1. full sync (export + HTTP + import)", seconds, cpu + export_cpu, "60 s",
                   f"= import {cpu:.1f} s + export {export_cpu:.1f} s CPU; peak RSS of the import {rss} MB; {output}"))
        package = base / "jiangsu-full.tar.gz"
        province.run("network", "export", "--full", "-o", str(package), timeout=3600)
        f_seconds, f_cpu, records = floor([package])
        print(line(f"   baseline: {records:,} records parsed and inserted raw", f_seconds, f_cpu,
                   extra=f"(package {package.stat().st_size / 1e6:.1f} MB)"))

        server_cpu = session_cpu(session)
        seconds, cpu, _rss, output = run_measured(nation, "network", "sync")
        print(line("2. baseline: a sync with nothing changed", seconds, cpu + session_cpu(session) - server_cpu,
                   extra=output))
        province.python(
            "from fuhua.registry.models import Firm\n"
            f"for firm in Firm.objects.order_by('pk')[:{changes}]:\n"
            "    firm.size_class = 'small' if firm.size_class != 'small' else 'micro'\n"
            "    firm.save()\nprint('null')")
        server_cpu = session_cpu(session)
        seconds, cpu, _rss, output = run_measured(nation, "network", "sync")
        print(line(f"2. incremental sync of {changes} changes", seconds, cpu + session_cpu(session) - server_cpu,
                   "5 s", output))
    finally:
        stop([province])


# --- 3: the nation importing 31 province packages ----------------------------------------------------------


def split(archive: Path, out: Path, key_dir: Path, source_code: str) -> list[dict]:
    """The national package split by province into signed packages (run inside Django: PackageWriter, keys).
    Streams each resource; keeps only id → province maps of carriers, firms, mentors and operators."""
    import orjson

    from fuhua.federation import keys
    from fuhua.federation.package import PackageWriter
    from fuhua.federation.tables import BY_KEY

    def members(tar):
        return {m.name: m for m in tar.getmembers()}

    def records(name):
        with tarfile.open(archive, "r:gz") as tar:
            member = members(tar).get(f"data/{name}.jsonl")
            if member is None:
                return
            for raw in tar.extractfile(member):
                yield orjson.loads(raw)

    with tarfile.open(archive, "r:gz") as tar:
        descriptor = json.loads(tar.extractfile("datapackage.json").read())
    tables = [r["name"] for r in descriptor["resources"]]
    def prefix_of(record) -> str:
        return (record.get("region") or "")[:2]

    where: dict[str, dict[str, str]] = {"carriers": {}, "firms": {}, "mentors": {}}
    needs_operator: dict[str, set] = {}
    for table in ("carriers", "firms", "mentors"):
        for record in records(table):
            if record["_op"] == "upsert":
                where[table][record["_id"]] = prefix_of(record)
                if table == "carriers":
                    needs_operator.setdefault(record["operator"]["id"], set()).add(prefix_of(record))
    provinces = sorted((set(where["carriers"].values()) | set(where["firms"].values())) - {""})
    writers, signing = {}, {}
    for prefix in provinces:
        code = prefix + "0000"
        key_path = key_dir / f"{code}.pem"
        signing[prefix] = keys.load_key(key_path) if key_path.exists() else keys.generate_key(key_path)
        writer = PackageWriter(source={"code": code, "name": code, "region": code}, target="CN", kind="full",
                               from_position=0, to_position=descriptor["fuhua"]["to_position"])
        writer.origins = {code: code}
        for table in tables:
            writer.add_resource(BY_KEY[table])
        writers[prefix] = writer

    def mine(record, prefix):
        record = dict(record, _origin=prefix + "0000")
        for name, value in record.items():
            if isinstance(value, dict) and value.get("origin") == source_code:
                record[name] = {"origin": prefix + "0000", "id": value["id"]}
        return record

    left_out = 0
    for table in tables:
        for record in records(table):
            if table == "organisations":
                targets = {prefix_of(record)} | needs_operator.get(record["_id"], set())
            elif table in ("recognitions",):
                targets = {where["carriers"].get(record["carrier"]["id"])}
            elif table == "incubations":
                carrier_at = where["carriers"].get(record["carrier"]["id"])
                targets = {carrier_at} if where["firms"].get(record["firm"]["id"]) == carrier_at else set()
                left_out += not targets
            elif table == "pool":
                targets = {where["mentors"].get(record["profile"]["id"])}
            else:
                targets = {prefix_of(record)}
            for prefix in targets & set(writers):
                writers[prefix].write(table, mine(record, prefix))
    made = []
    for prefix, writer in writers.items():
        path = writer.finish(out / f"{prefix}0000.tar.gz", signing[prefix])
        made.append({"code": prefix + "0000", "path": str(path), "records": sum(writer.counts.values()),
                     "public_key": keys.public_key_text(signing[prefix])})
    print(json.dumps({"packages": made, "left_out": left_out}))
    return made


def replicate(archive: Path, out: Path, key_dir: Path, regions: dict, keep: int) -> list[dict]:
    """Without a national demo database: the province's full package copied to every province (its regions
    mapped onto that province's, credit codes and provenance renamed), keeping every `keep`-th carrier and firm
    (with their recognitions and tenancies): 31 × 1/4 of Jiangsu is about the national demo (16,000 carriers,
    500,000 tenants). Streams each resource; signed like the split."""
    import orjson

    from fuhua.federation import keys
    from fuhua.federation.package import PackageWriter
    from fuhua.federation.tables import BY_KEY

    with tarfile.open(archive, "r:gz") as tar:
        descriptor = json.loads(tar.extractfile("datapackage.json").read())
    tables = [r["name"] for r in descriptor["resources"]]
    source = descriptor["fuhua"]["source"]["code"]

    def records(name):
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name == f"data/{name}.jsonl":
                    for raw in tar.extractfile(member):
                        yield orjson.loads(raw)
                    return

    def kept(table, source_id) -> bool:
        return int(source_id) % keep == 0 if table in ("carriers", "firms") else True

    carriers = {r["_id"] for r in records("carriers") if kept("carriers", r["_id"])}
    firms = {r["_id"] for r in records("firms") if kept("firms", r["_id"])}
    made = []
    for prefix, places in sorted(regions.items()):
        code = prefix + "0000"
        key_path = key_dir / f"{code}.pem"
        key = keys.load_key(key_path) if key_path.exists() else keys.generate_key(key_path)
        writer = PackageWriter(source={"code": code, "name": code, "region": code}, target="CN", kind="full",
                               from_position=0, to_position=descriptor["fuhua"]["to_position"])
        writer.origins = {code: code}
        figures_seen: set = set()

        def region(value, places=places, code=code):
            if not value:
                return value
            if value.endswith("0000"):
                return code
            level = "prefectures" if value.endswith("00") else "counties"
            choices = places[level] or places["prefectures"] or [code]
            return choices[int(value) % len(choices)]

        for table in tables:
            writer.add_resource(BY_KEY[table])
            spec = BY_KEY[table]
            for record in records(table):
                if not kept(table, record["_id"]):
                    continue
                if table == "recognitions" and record["carrier"]["id"] not in carriers:
                    continue
                if table == "incubations" and (record["carrier"]["id"] not in carriers
                                               or record["firm"]["id"] not in firms):
                    continue
                record["_origin"] = code
                for name in spec.refs:
                    record[name] = {"origin": code, "id": record[name]["id"]}
                for name in spec.regions:
                    record[name] = region(record.get(name))
                if record.get("source") == source:
                    record["source"] = code
                if record.get("credit_code"):
                    renamed = record["credit_code"][:2] + prefix + record["credit_code"][4:]
                    if record.get("_search"):  # the origin's search text holds the credit code: renamed with it
                        record["_search"] = record["_search"].replace(record["credit_code"].lower(), renamed.lower())
                    record["credit_code"] = renamed
                if spec.model_label == "federation.figure":  # two regions mapped onto one: one figure
                    figure_key = (record["region"], record["year"], record["measure"], record.get("breakdown", ""))
                    if figure_key in figures_seen:
                        continue
                    figures_seen.add(figure_key)
                writer.write(table, record)
        path = writer.finish(out / f"{code}.tar.gz", key)
        made.append({"code": code, "path": str(path), "records": sum(writer.counts.values()),
                     "public_key": keys.public_key_text(key)})
    print(json.dumps({"packages": made, "left_out": 0}))
    return made


def replicated_packages(base: Path, province_package: Path, keep: int, provinces: int = 31) -> Path:
    """The 31 province packages simulated from the province's package (see `replicate`)."""
    packages_dir = base / "packages-replicated"
    listing = packages_dir / "packages.json"
    if listing.exists() and len(json.loads(listing.read_text())["packages"]) >= provinces:
        return listing
    (packages_dir / "keys").mkdir(parents=True, exist_ok=True)
    node = Node("template", "template", None, base / "template", 0)
    regions = node.python(
        "import json; from fuhua.registry.models import Region\n"
        "out = {}\n"
        "for code, level in Region.objects.order_by('code').values_list('code', 'level'):\n"
        "    p = out.setdefault(code[:2], {'prefectures': [], 'counties': []})\n"
        "    if level == 'prefecture': p['prefectures'].append(code)\n"
        "    elif level == 'county': p['counties'].append(code)\n"
        "out = {k: v for k, v in out.items() if k not in ('71', '81', '82')}\n"
        "print(json.dumps(out))")
    (packages_dir / "regions.json").write_text(json.dumps(regions))
    started = time.monotonic()
    done = subprocess.run([sys.executable, __file__, "_replicate", str(province_package), str(packages_dir),
                           str(keep), str(provinces)], env=node.env, capture_output=True, text=True, check=True)
    listing.write_text(done.stdout.strip().splitlines()[-1])
    print(f"3. setup: {min(provinces, len(regions))} province packages simulated from the province's in "
          f"{time.monotonic() - started:.0f} s")
    return listing


def national_runs(base: Path, national_db: Path | None, provinces: int, template: Path, keep: int = 4) -> None:
    source = Node("CNDEMO", "全国演示", None, base / "national-source", free_port())
    target = Node("CNNEXT", "上级", None, base / "national-parent", free_port())
    nation = Node("CN", "全国", None, base / "nation-31", free_port())
    packages_dir = base / "packages"
    listing = packages_dir / "packages.json"
    if national_db is None:
        listing = replicated_packages(base, base / "jiangsu-full.tar.gz", keep, provinces)
    elif not listing.exists():
        shutil.rmtree(source.home, ignore_errors=True)
        source.home.mkdir(parents=True)
        started = time.monotonic()
        with sqlite3.connect(f"file:{national_db}?mode=ro", uri=True) as src, \
                sqlite3.connect(source.home / "fuhua.sqlite3") as dst:
            src.backup(dst)  # a consistent copy; the demo database is not changed
        source.run("manage", "migrate", "-v", "0", timeout=3600)
        from fuhua.federation import keys

        target.public_key = keys.public_key_text(keys.generate_key(base / "target.pem"))
        source.python("from fuhua.federation.models import Instance, Peer; Peer.objects.all().delete(); "
                      "Instance.objects.all().delete(); print('null')")
        (source.home / "federation" / "instance_ed25519.pem").unlink(missing_ok=True)
        prepare(source, parent=target)
        source.python("from fuhua.federation.models import Peer; from fuhua.federation.tables import TABLES; "
                      "Peer.objects.filter(relation='parent').update(tables=[t.key for t in TABLES if t.key not in "
                      "('mentors', 'pool')]); print('null')")
        whole = base / "national-full.tar.gz"
        seconds, cpu, rss, _out = run_measured(source, "network", "export", "--full", "-o", str(whole))
        print(line("3. setup: the national demo's full export", seconds, cpu,
                   extra=f"{whole.stat().st_size / 1e6:.0f} MB, peak RSS {rss} MB"))
        packages_dir.mkdir(parents=True, exist_ok=True)
        (packages_dir / "keys").mkdir(exist_ok=True)
        done = subprocess.run([sys.executable, __file__, "_split", str(whole), str(packages_dir), source.code],
                              env=source.env, capture_output=True, text=True, check=True)
        listing.write_text(done.stdout.strip().splitlines()[-1])
        print(f"   split by province in {time.monotonic() - started:.0f} s (copy, export, split)")
    result = json.loads(listing.read_text())
    packages = result["packages"][:provinces]
    total = sum(p["records"] for p in packages)
    print(f"3. {len(packages)} province packages, {total:,} records "
          f"({result['left_out']:,} tenancies across provinces left out)")
    fresh(nation, template)
    prepare(nation, children=[(p["code"], p["code"], p["public_key"], p["code"], "") for p in packages])
    nation.python("from fuhua.federation.models import Peer; from fuhua.federation.tables import TABLES; "
                  "Peer.objects.filter(relation='child').update(tables=[t.key for t in TABLES]); print('null')")
    wall = cpu = 0.0
    peak = 0
    for package in packages:
        seconds, used, rss, output = run_measured(nation, "network", "import", package["path"])
        wall, cpu, peak = wall + seconds, cpu + used, max(peak, rss)
        print(f"   {package['code']}: {package['records']:,} records {seconds:.1f} s wall, {used:.1f} s CPU, "
              f"{rss} MB  {output}")
    print(line(f"3. the nation importing {len(packages)} province packages", wall, cpu, "10 min",
               f"peak RSS of an import {peak} MB"))
    f_seconds, f_cpu, records = floor([Path(p["path"]) for p in packages])
    print(line(f"   baseline: {records:,} records parsed and inserted raw", f_seconds, f_cpu))


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_split":  # inside the national source's environment
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
        django.setup()
        archive, out, code = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
        split(archive, out, out / "keys", code)
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_replicate":
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")
        django.setup()
        archive, out, keep = Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
        regions = json.loads((out / "regions.json").read_text())
        count = int(sys.argv[5]) if len(sys.argv) > 5 else len(regions)
        replicate(archive, out, out / "keys", dict(sorted(regions.items())[:count]), keep)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=None, help="keep the instances here (default: temporary); "
                        "a province demo or split packages found there are used again")
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--national-db", type=Path, default=None,
                        help="a national demo's fuhua.sqlite3, for the 31 province packages (copied, not changed)")
    parser.add_argument("--provinces", type=int, default=31, help="import only the first N province packages")
    parser.add_argument("--skip-province", action="store_true", help="only the 31 province packages")
    parser.add_argument("--skip-national", action="store_true", help="only the province (1 and 2)")
    parser.add_argument("--keep", type=int, default=4,
                        help="without --national-db: every N-th carrier and firm of the province per province")
    args = parser.parse_args()
    if args.national_db is not None and not args.skip_national:
        built = args.national_db.resolve().parent / ".built"  # touched once `fuhua demo --scale national` finished
        if not args.national_db.exists() or not built.exists():
            parser.error(f"{args.national_db} is not a finished national demo ({built} is missing): a database "
                         "still being built would be copied half-made")
        try:
            # immutable: a finished database, read without the -shm/-wal files a WAL reader would create beside it
            with sqlite3.connect(f"file:{args.national_db.resolve()}?mode=ro&immutable=1", uri=True) as db:
                carriers = db.execute("SELECT count(*) FROM registry_carrier").fetchone()[0]
        except sqlite3.Error:
            carriers = 0
        if carriers < 1000:  # a demo that failed midway (its transaction rolled back) leaves an empty database
            parser.error(f"{args.national_db} holds {carriers} carriers: not a national demo")
    base = (args.dir or Path(tempfile.mkdtemp(prefix="fuhua-federation-bench-"))).resolve()
    template = base / "template" / "fuhua.sqlite3"
    if not template.exists():
        seed = Node("template", "template", None, template.parent, 0)
        shutil.rmtree(seed.home, ignore_errors=True)
        seed.home.mkdir(parents=True)
        seed.run("manage", "migrate", "-v", "0", timeout=1200)
    if not args.skip_province:
        province_runs(base, args.changes, template)
    if not args.skip_national:
        national_runs(base, args.national_db.resolve() if args.national_db else None, args.provinces, template,
                      args.keep)
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
