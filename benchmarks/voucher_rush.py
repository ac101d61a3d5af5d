"""The voucher claim rush over HTTP on PostgreSQL: pre-allocated slots (SKIP LOCKED) against a single hot row.

    .venv/bin/python benchmarks/voucher_rush.py [--runs 10] [--firms 10000] [--vouchers 2500]
        [--concurrency 48] [--database-url postgres://postgres@127.0.0.1/fuhua_rush] [--workers N]

What it does:

1. A fresh PostgreSQL database (dropped and created), migrated; the Suzhou demo programme set up;
   `--firms` Suzhou firms, each an incubating tenant with its own account, firm role and API token;
   every firm's eligibility stored for the day (`fuhua vouchers setup --precompute` does the same).
2. `fuhua serve --insecure-http` with its usual workers (2 × CPUs + 1 unless `--workers`), on 127.0.0.1, with a
   settings overlay that adds one baseline endpoint beside the product API (the overlay and the endpoint are
   written by this script into a temporary directory: they are not part of the product).
   Before any pass, every worker is warmed (its first requests import and build the URL conf and the schemas:
   seconds of CPU per process, which used to land on the first pass only).
3. Per run, two passes, each over a new batch of `--vouchers` vouchers (fewer than the firms), the two designs
   taking turns to go first (odd runs slots first, even runs hot row first):
   - `slots`:    POST /api/v1/vouchers — the product: the first free slot, SELECT … FOR UPDATE SKIP LOCKED;
   - `hot row`:  POST /bench/claims — the same endpoint code (`vouchers.api.claim_response`: batch read,
                 scope, answer) and the same claim service, except that the voucher is taken by a plain
                 conditional `UPDATE rush_counter SET left_count = left_count - 1 WHERE batch_id = %s AND
                 left_count > 0` on one row per batch (in one statement with marking the n-th slot taken).
   Every firm claims once, in a shuffled order, from a bounded asyncio load generator (`--concurrency`
   connections at most); a request that times out or loses its connection is retried with the same
   idempotency key (and so is an answer `busy`: every remaining voucher is being claimed at that instant).
   - `bare`:     POST /bench/bare — the floor: the same HTTP stack and token authentication, one read, no
                 claim (every firm once): what the machine answers at all, to compare the claims against.
   Half-way through each pass one web worker is killed (SIGKILL); gunicorn replaces it.
4. After each pass, reconciliation from the database: vouchers = slots taken ≤ slots (0 oversell), every
   firm at most one voucher of the batch (0 double claims), the vouchers the clients were told they got =
   the vouchers in the database, the batch's budget reconciles to the fen (services.batch_budget); for the
   hot row also counter + vouchers = batch size. Then the batch is closed and its vouchers lapse (their
   value returns to the batch), so that the firms' held-at-once limits start afresh in the next pass.

Reported per pass and as the median over the runs: successful claims per second (from the first request
to the last successful claim, i.e. while the batch sells out), requests per second over the whole pass,
p50/p99 latency of the answered requests, retries, and the reconciliation. Goal (issue #12): ≥ 1,500
successful claims/s over HTTP with 0 oversell, 0 double claims, every fen accounted for, over 10 runs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import hashlib
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROGRAMME = "suzhou-demo-voucher"

OVERLAY_SETTINGS = """
from fuhua.settings import *  # noqa: F403  (benchmark-only overlay of the real settings)

ROOT_URLCONF = "rush_urls"
DEBUG = False
"""

OVERLAY_URLS = '''
"""The baseline: the product's claim endpoint and service with only the slot pick replaced by one conditional
UPDATE of a hot row (the same batch read, scope, limits, voucher, audit and answer)."""

from django.db import connection
from django.urls import path
from ninja import NinjaAPI

from fuhua.accounts.api_auth import API_AUTH
from fuhua.urls import urlpatterns as fuhua_urlpatterns
from fuhua.vouchers import services
from fuhua.vouchers.api import CLAIM_RESPONSES, claim_response
from fuhua.vouchers.models import Batch
from fuhua.vouchers.schemas import ClaimIn
from fuhua.vouchers.services import claims

bench = NinjaAPI(urls_namespace="rush", docs_url=None, openapi_url=None, auth=API_AUTH)
SKIP_LOCKED = claims._take_slot
# One statement, like the product's pick: the counter row's conditional decrement names the n-th slot of the batch,
# which is marked taken (the voucher still needs its slot). The counter row stays locked until the claim commits.
COUNTER_SQL = (
    "WITH c AS (UPDATE rush_counter SET left_count = left_count - 1 WHERE batch_id = %s AND left_count > 0 "
    "RETURNING left_count, total, first_slot_id) "
    "UPDATE vouchers_slot s SET taken = true FROM c WHERE s.id = c.first_slot_id + (c.total - c.left_count - 1) "
    "RETURNING s.id, s.face_value_fen")


def counter_slot(batch):
    """One row per batch: the classic `left = left - 1 WHERE left > 0`; None when it reached 0 (sold out)."""
    with connection.cursor() as cursor:
        cursor.execute(COUNTER_SQL, [batch.pk])
        return cursor.fetchone()


def hot_row_claim(*args, **kwargs):
    claims._take_slot = counter_slot
    try:
        return services.claim(*args, **kwargs)
    finally:
        claims._take_slot = SKIP_LOCKED


@bench.post("/claims", response=CLAIM_RESPONSES)
def claim(request, payload: ClaimIn):
    return claim_response(request, payload, claim=hot_row_claim)


@bench.post("/bare")
def bare(request, payload: ClaimIn):
    """The floor: the same HTTP stack and token authentication, one batch read, no claim."""
    batch = Batch.objects.only("id").filter(pk=payload.batch).first()
    return bench.create_response(request, {"code": "bare", "voucher": {"id": batch and batch.pk}}, status=200)


urlpatterns = [path("bench/", bench.urls), *fuhua_urlpatterns]
'''


# --- the database and the population ------------------------------------------------------------------


def fresh_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    args = ["-h", parts.hostname or "127.0.0.1", "-U", parts.username or "postgres"]
    if parts.port:
        args += ["-p", str(parts.port)]
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *args, name], check=True)


def populate(firms: int) -> list[tuple[int, str]]:
    """(firm id, API token) of `firms` eligible Suzhou firms, each with an account and a token."""
    from django.contrib.auth import get_user_model

    from fuhua.accounts.models import ApiToken, RoleGrant, default_token_expiry
    from fuhua.core.system import SYSTEM
    from fuhua.core.validators import credit_code_check_char
    from fuhua.incubation.models import Incubation
    from fuhua.registry.models import Carrier, Firm, Organisation, Region
    from fuhua.vouchers import services

    [programme] = services.setup(SYSTEM, [PROGRAMME])
    sip = Region.objects.get(pk="320571")

    def code(n: int, kind: str = "91") -> str:
        body = f"{kind}320571{n:09d}"[:17]
        return body + credit_code_check_char(body)

    operator = Organisation.objects.create(name="苏州抢券压测运营有限公司", credit_code=code(0, "92"),
                                           kind="enterprise", region=sip, ownership="private")
    carrier = Carrier.objects.create(name="苏州抢券压测孵化器", operator=operator, region=sip, kind="incubator",
                                     established=datetime.date(2015, 6, 1), incubation_area_m2=12000,
                                     tenant_area_m2=9500, workstations=300)
    Firm.objects.bulk_create([Firm(name=f"苏州抢券压测{i:05d}科技有限公司", credit_code=code(i + 1),
                                   founded=datetime.date(2022, 1, 1), industry_field="ai", size_class="micro",
                                   region=sip) for i in range(firms)], batch_size=2000)
    firm_ids = list(Firm.objects.filter(name__startswith="苏州抢券压测").order_by("pk").values_list("pk", flat=True))
    Incubation.objects.bulk_create([Incubation(firm_id=f, carrier=carrier, status="incubating",
                                               entered_on=datetime.date(2024, 1, 1)) for f in firm_ids],
                                   batch_size=2000)
    User = get_user_model()
    User.objects.bulk_create([User(username=f"rush{f}", password="!") for f in firm_ids], batch_size=2000)
    users = dict(User.objects.filter(username__startswith="rush").values_list("username", "pk"))
    RoleGrant.objects.bulk_create([RoleGrant(user_id=users[f"rush{f}"], role="firm", firm_id=f) for f in firm_ids],
                                  batch_size=2000)
    keys = {f: "fh_" + secrets.token_urlsafe(32) for f in firm_ids}
    expires = default_token_expiry()
    ApiToken.objects.bulk_create([ApiToken(user_id=users[f"rush{f}"], name="rush", prefix=k[:8],
                                           key_hash=hashlib.sha256(k.encode()).hexdigest(), expires_at=expires)
                                  for f, k in keys.items()], batch_size=2000)
    stored = services.precompute(programme)
    print(f"  {len(firm_ids):,} firms with accounts and tokens; eligibility stored for {stored:,}", flush=True)
    return list(keys.items())


def new_batch(number: int, vouchers: int, hot_row: bool):
    from django.db import connection
    from django.utils import timezone

    from fuhua.core.system import SYSTEM
    from fuhua.vouchers import services
    from fuhua.vouchers.models import Slot, VoucherProgramme

    programme = VoucherProgramme.objects.get(code=PROGRAMME)
    face = services.terms(programme).face_value
    now = timezone.now()
    batch = services.add_batch(SYSTEM, programme, number=number, title=f"压测第{number}期", budget_fen=face * vouchers,
                               opens_at=now - datetime.timedelta(minutes=1), closes_at=now + datetime.timedelta(days=1))
    batch = services.publish_batch(SYSTEM, batch)
    if hot_row:
        ids = list(Slot.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
        assert ids == list(range(ids[0], ids[0] + len(ids))), "slot ids are not contiguous"
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO rush_counter (batch_id, left_count, total, first_slot_id) "
                           "VALUES (%s, %s, %s, %s)", [batch.pk, len(ids), len(ids), ids[0]])
    return batch


def reconcile(batch, told: dict[int, int], hot_row: bool) -> dict:
    """From the database: oversell, double claims, what the clients were told, the budget to the fen."""
    from django.db import connection
    from django.db.models import Count

    from fuhua.vouchers import services
    from fuhua.vouchers.models import Slot, Voucher

    vouchers = Voucher.objects.filter(batch=batch)
    slots = Slot.objects.filter(batch=batch)
    count, taken, total = vouchers.count(), slots.filter(taken=True).count(), slots.count()
    doubles = vouchers.values("firm_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    in_db = dict(vouchers.values_list("firm_id", "pk"))
    budget = services.batch_budget(batch)
    out = {"vouchers": count, "slots": total, "oversell": max(0, count - total) + (count != taken),
           "double_claims": doubles, "told_mismatch": sum(1 for f, v in told.items() if in_db.get(f) != v)
           + sum(1 for f in in_db if f not in told), "budget_reconciles": budget["reconciles"],
           "claimed_fen": budget["claimed"], "remaining_fen": budget["remaining"], "budget_fen": budget["budget"]}
    if hot_row:
        with connection.cursor() as cursor:
            cursor.execute("SELECT left_count, total FROM rush_counter WHERE batch_id = %s", [batch.pk])
            left, size = cursor.fetchone()
        out["counter_consistent"] = left + count == size
    return out


def lapse_all(batch) -> None:
    """Close the batch and let its vouchers lapse (the product's expiry), so the firms' held limits reset."""
    from django.utils import timezone

    from fuhua.core.system import SYSTEM
    from fuhua.vouchers import services

    services.close_batch(SYSTEM, batch, "benchmark pass over")
    services.expire(SYSTEM, on=timezone.localdate() + datetime.timedelta(days=400), batch=batch)


# --- the load generator --------------------------------------------------------------------------------


@dataclass
class Pass:
    name: str
    latencies: list[float] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    failures: int = 0
    told: dict[int, int] = field(default_factory=dict)
    first_claim: float = 0.0
    last_claim: float = 0.0
    started: float = 0.0
    ended: float = 0.0


async def _request(port: int, path: str, token: str, body: bytes, timeout: float) -> tuple[int, dict]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                      ).encode() + body)
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    if not head:
        raise ConnectionError("empty answer (worker gone)")
    status = int(head.split(b" ", 2)[1])
    if b"chunked" in head.lower():
        payload = b"".join(payload.split(b"\r\n")[1::2])
    return status, json.loads(payload or b"{}")


async def run_pass(result: Pass, port: int, path: str, batch_id: int, firms: list[tuple[int, str]], key_prefix: str,
                   concurrency: int, timeout: float, kill) -> None:
    gate = asyncio.Semaphore(concurrency)
    done, kill_at = 0, len(firms) // 2

    async def one(firm_id: int, token: str) -> None:
        nonlocal done
        body = json.dumps({"batch": batch_id, "idempotency_key": f"{key_prefix}-{firm_id}"}).encode()
        async with gate:
            for attempt in range(8):
                t0 = time.perf_counter()
                try:
                    status, answer = await _request(port, path, token, body, timeout)
                except (TimeoutError, ConnectionError, OSError):
                    result.retries += 1
                    await asyncio.sleep(0.05 * (attempt + 1))
                    continue
                if status >= 500 or (status == 409 and answer.get("code") == "busy"):  # busy: the rest in flight
                    result.retries += 1
                    await asyncio.sleep(0.05 * (attempt + 1))
                    continue
                now = time.perf_counter()
                result.latencies.append(now - t0)
                code = answer.get("code", str(status))
                result.codes[code] = result.codes.get(code, 0) + 1
                if status in (200, 201):
                    result.told[firm_id] = answer["voucher"]["id"]
                    result.first_claim = result.first_claim or now
                    result.last_claim = max(result.last_claim, now)
                break
            else:
                result.failures += 1
        done += 1
        if done == kill_at:
            kill()

    result.started = time.perf_counter()
    await asyncio.gather(*(one(f, t) for f, t in firms))
    result.ended = time.perf_counter()


async def warm_up(port: int, firms: list[tuple[int, str]], concurrency: int, timeout: float) -> int:
    """Every web worker serves its first requests (imports, URL conf, schemas: seconds of CPU once per process)
    before any pass is timed: claims of a batch that does not exist (404) on both claim endpoints, `concurrency`
    at a time, so that the first pass does not pay the workers' warm-up and the second none."""
    gate, answered = asyncio.Semaphore(concurrency), 0

    async def one(path: str, token: str) -> None:
        nonlocal answered
        body = json.dumps({"batch": 2**62, "idempotency_key": "warm-up"}).encode()
        async with gate:
            try:
                await _request(port, path, token, body, timeout * 3)
                answered += 1
            except (TimeoutError, ConnectionError, OSError, ValueError):
                pass

    await asyncio.gather(*(one(path, token) for _ in range(3) for _, token in firms
                           for path in ("/api/v1/vouchers", "/bench/claims", "/bench/bare")))
    return answered


def workers_of(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def wait_until_up(port: int, seconds: float = 300) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/regions", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # answered (401): up
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not come up")


def summary(p: Pass, check: dict) -> dict:
    claims = len(p.told)
    window = (p.last_claim - p.started) if claims else 0.0
    lat = sorted(p.latencies)
    return {"pass": p.name, "claims": claims, "claims_per_s": claims / window if window else 0.0,
            "requests_per_s": len(lat) / (p.ended - p.started), "p50_ms": 1000 * statistics.median(lat) if lat else 0,
            "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else 0, "retries": p.retries,
            "unanswered": p.failures, "codes": p.codes, **check}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1/fuhua_rush")
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--vouchers", type=int, default=2_500, help="vouchers per batch (fewer than the firms)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=48, help="requests in flight at most")
    parser.add_argument("--timeout", type=float, default=10.0, help="client timeout per request (s), then a retry")
    parser.add_argument("--workers", type=int, default=None, help="web workers (default: fuhua serve's, 2×CPUs+1)")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--no-kill", action="store_true", help="do not kill a web worker mid-pass")
    args = parser.parse_args()
    if args.vouchers >= args.firms:
        raise SystemExit("--vouchers must be fewer than --firms (a batch smaller than the demand)")

    overlay = Path(tempfile.mkdtemp(prefix="voucher_rush_"))
    (overlay / "rush_settings.py").write_text(OVERLAY_SETTINGS)
    (overlay / "rush_urls.py").write_text(textwrap.dedent(OVERLAY_URLS))
    home = overlay / "home"
    home.mkdir()
    env = {**os.environ, "DATABASE_URL": args.database_url, "FUHUA_HOME": str(home),
           "DJANGO_SETTINGS_MODULE": "rush_settings",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(overlay), os.environ.get("PYTHONPATH")]))}
    if args.workers:
        env["FUHUA_WORKERS"] = str(args.workers)
    os.environ.update(env)
    sys.path.insert(0, str(overlay))

    print(f"fresh database {args.database_url} …", flush=True)
    fresh_database(args.database_url)
    subprocess.run([BIN / "fuhua", "manage", "migrate", "--verbosity", "0"], check=True, env=env)
    import django

    django.setup()
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE rush_counter (batch_id bigint PRIMARY KEY, left_count integer NOT NULL, "
                       "total integer NOT NULL, first_slot_id bigint NOT NULL)")
    print("population …", flush=True)
    firms = populate(args.firms)
    connections.close_all()

    log = (overlay / "server.log").open("wb")  # 4xx warnings of every refused claim, the killed worker
    server = subprocess.Popen([BIN / "fuhua", "serve", "--insecure-http", "--bind", f"127.0.0.1:{args.port}"], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    results = []
    try:
        wait_until_up(args.port)
        masters = [server.pid, *workers_of(server.pid)]
        print(f"serving on 127.0.0.1:{args.port}: {len(workers_of(server.pid))} workers", flush=True)
        warm = asyncio.run(warm_up(args.port, firms[:args.concurrency], args.concurrency, args.timeout))
        print(f"  workers warmed: {warm} requests answered", flush=True)

        def kill() -> None:
            if args.no_kill:
                return
            pids = workers_of(masters[0])
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                print(f"    killed web worker {pids[0]}", flush=True)

        for run in range(1, args.runs + 1):
            order = firms[:]
            random.Random(run).shuffle(order)
            claiming = [("slots", "/api/v1/vouchers", False), ("hot row", "/bench/claims", True)]
            if run % 2 == 0:  # the two designs take turns to go first (a pass may leave the next one warmer)
                claiming.reverse()
            for name, path, hot in (*claiming, ("bare", "/bench/bare", False)):
                bare = name == "bare"
                if not bare:  # the bare pass reads the hot-row pass's batch
                    batch = new_batch(run * 10 + (2 if hot else 1), args.vouchers, hot)
                connections.close_all()
                p = Pass(name)
                asyncio.run(run_pass(p, args.port, path, batch.pk, order, f"r{run}{name[0]}",
                                     args.concurrency, args.timeout, kill))
                check = ({"oversell": 0, "double_claims": 0, "told_mismatch": 0, "budget_reconciles": True}
                         if bare else reconcile(batch, p.told, hot))
                row = summary(p, check)
                results.append(row)
                if bare:
                    print(f"  run {run}    bare: {row['requests_per_s']:,.0f} req/s (authenticated, one read, "
                          f"no claim), p50 {row['p50_ms']:.0f} ms, p99 {row['p99_ms']:.0f} ms, "
                          f"retries {row['retries']}",
                          flush=True)
                    continue
                print(f"  run {run} {name:>7}: {row['claims']:,} claimed, {row['claims_per_s']:,.0f} claims/s, "
                      f"{row['requests_per_s']:,.0f} req/s, p50 {row['p50_ms']:.0f} ms, p99 {row['p99_ms']:.0f} ms, "
                      f"retries {row['retries']}, oversell {row['oversell']}, double {row['double_claims']}, "
                      f"told≠db {row['told_mismatch']}, reconciles {row['budget_reconciles']}"
                      + (f", counter ok {row['counter_consistent']}" if hot else "") + f"  {row['codes']}", flush=True)
                lapse_all(batch)
                connections.close_all()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
        print(f"server log: {overlay / 'server.log'}")

    print("\nmedian over runs:")
    for name in ("slots", "hot row", "bare"):
        rows = [r for r in results if r["pass"] == name]
        total = {k: sum(r[k] for r in rows) for k in ("oversell", "double_claims", "told_mismatch", "unanswered")}
        print(f"  {name:>7}: {statistics.median(r['claims_per_s'] for r in rows):,.0f} claims/s, "
              f"{statistics.median(r['requests_per_s'] for r in rows):,.0f} req/s, "
              f"p99 {statistics.median(r['p99_ms'] for r in rows):.0f} ms; oversell {total['oversell']}, "
              f"double claims {total['double_claims']}, told≠db {total['told_mismatch']}, "
              f"all reconcile {all(r['budget_reconciles'] for r in rows)}, unanswered {total['unanswered']}")
    ok = all(r["oversell"] == 0 and r["double_claims"] == 0 and r["told_mismatch"] == 0 and r["budget_reconciles"]
             for r in results)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
