"""Scale-out inside one instance (issue 16, item 9; docs/deploy.md): two web nodes (`fuhua serve` processes on
127.0.0.1 ports) and two `fuhua worker` processes on one PostgreSQL database, under a bounded load through both
nodes; one node and one worker are killed (SIGKILL) mid-run, and nothing is lost or done twice.

- The writes: firms claim vouchers over the API (POST /api/v1/vouchers, an idempotency key per firm), spread over
  both nodes; a request whose connection fails is retried on the other node with the same key, as a client
  behind a proxy would. Every acknowledged claim is in the database once, no firm holds two vouchers, the
  vouchers are the slots taken, and the batch's budget reconciles to the fen.
- The tasks: jobs enqueued in the database queue, each doing its work in one transaction (keyed by its number,
  as Fuhua's tasks are idempotent); one worker is killed while it runs one of them. core.workers puts the dead
  worker's task back in the queue and the other worker runs it: every job done, its effect written exactly once,
  the killed run's attempt visible in the attempts log and in the task's two worker ids. The periodic tasks that
  both workers' schedulers found due are each enqueued and run once.

CI runs it once, on PostgreSQL (marker `scaleout`); SQLite has one writer and runs on one machine only.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="several web nodes and workers share one database only on PostgreSQL (SQLite is for "
                              "one machine); DATABASE_URL is not PostgreSQL"),
]

FIRMS, VOUCHERS, JOBS = 90, 70, 24
JOB_SECONDS = 0.25  # each job holds its transaction this long, so that a worker is killed in the middle of one
HANG_GUARD = 90.0  # seconds from the processes' start after which the test gives up (a guard, not a speed goal)
JOB_LOCK = 0x5343414C  # the jobs' advisory locks: (JOB_LOCK, number)


@task()
def scale_out_job(number: int) -> int:
    """The job the workers run: an attempt logged (committed at once, so that a killed run leaves its trace), then
    its effect written in one transaction, once per number (a second run finds it and does nothing)."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO scaleout_attempt (number, pid) VALUES (%s, %s)", [number, os.getpid()])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [JOB_LOCK, number])
        cursor.execute("SELECT 1 FROM scaleout_effect WHERE number = %s", [number])
        if cursor.fetchone() is None:
            time.sleep(JOB_SECONDS)
            cursor.execute("INSERT INTO scaleout_effect (number, pid) VALUES (%s, %s)", [number, os.getpid()])
    return number


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fuhua() -> list[str]:
    script = Path(sys.executable).with_name("fuhua")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fuhua.cli"]


def _database_url() -> str:
    d = connection.settings_dict
    auth = urllib.parse.quote(d["USER"] or "postgres")
    if d.get("PASSWORD"):
        auth += ":" + urllib.parse.quote(d["PASSWORD"])
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


class Processes:
    """The node and worker processes, each in its own process group (so that a kill takes gunicorn's workers too)."""

    def __init__(self, base: Path):
        self.base, self.started = base, []
        self.env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "FUHUA_HOME")}
        self.env.update(DATABASE_URL=_database_url(), SECRET_KEY="scale-out-test-" + "k" * 40, PYTHONUNBUFFERED="1",
                        FUHUA_TASK_RECOVERY_SECONDS="1", FUHUA_LOG_LEVEL="INFO", FUHUA_DB_CONN_MAX_AGE="0")
        self.env.pop("DATABASE_REPLICA_URL", None)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        home = self.base / name
        if not home.exists():
            home.mkdir()
        log = (home / "process.log").open("ab")
        process = subprocess.Popen([*_fuhua(), *args], env={**self.env, "FUHUA_HOME": str(home)},
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        process.name = name
        self.started.append(process)
        return process

    def log(self, process) -> str:
        return (self.base / process.name / "process.log").read_text(errors="replace")[-3000:]

    @staticmethod
    def kill(process) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill(process)


def _wait_until_serving(processes: Processes, node, port: int) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if node.poll() is not None:
            raise AssertionError(f"{node.name} stopped:\n{processes.log(node)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # an answer
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException, TimeoutError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"{node.name} did not answer on port {port}:\n{processes.log(node)}")


def _claim(ports: list[int], first: int, token: str, batch: int, key: str) -> tuple:
    """POST the claim to a node; on a failed connection, again on the other node with the same key.
    Returns (HTTP status, answer, attempts)."""
    body = json.dumps({"batch": batch, "idempotency_key": key}).encode()
    for attempt in range(1, 9):
        index = (first + attempt - 1) % len(ports)
        request = urllib.request.Request(f"http://127.0.0.1:{ports[index]}/api/v1/vouchers", data=body,
                                         method="POST", headers={"Authorization": f"Bearer {token}",
                                                                 "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read()), attempt
        except urllib.error.HTTPError as error:
            if error.code in (502, 503, 504):
                continue
            return error.code, json.loads(error.read() or b"{}"), attempt
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException, TimeoutError, OSError):
            time.sleep(0.05)
            continue
    raise AssertionError(f"claim {key} got no answer from either node")


def _rows(sql: str, *params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def job_tables(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE scaleout_attempt (id serial PRIMARY KEY, number int NOT NULL, pid int NOT NULL)")
        cursor.execute("CREATE TABLE scaleout_effect (number int PRIMARY KEY, pid int NOT NULL)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS scaleout_attempt, scaleout_effect")


def test_two_nodes_and_two_workers_lose_nothing_and_do_nothing_twice(world, job_tables, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from fuhua import testing
    from fuhua.accounts.models import ApiToken
    from fuhua.incubation.models import Incubation
    from fuhua.vouchers import services
    from fuhua.vouchers.models import Slot, Voucher
    from fuhua.vouchers.testing import open_batch, voucher_world

    v = voucher_world(world)
    batch = open_batch(v.prog_a, 61, vouchers=VOUCHERS)
    firms = []
    for i in range(FIRMS):
        firm = testing.firm(f"苏州横向扩展{i:03d}科技有限公司", world.regions.sip)
        Incubation.objects.create(firm=firm, carrier=world.carrier_a, status="incubating",
                                  entered_on=datetime.date(2025, 1, 1))
        user = testing.make_user(f"scale{i:03d}", "firm", firm=firm)
        firms.append((firm.pk, ApiToken.issue(user, "scale-out")[1]))
    services.precompute(v.prog_a)
    setup_done = timezone.now()

    processes = Processes(tmp_path)
    started = time.monotonic()
    try:
        ports = [_free_port(), _free_port()]
        # Static files are served from the apps (WHITENOISE_USE_FINDERS); a release collects them once.
        nodes = [processes.start(f"node{n}", "serve", "--insecure-http", "--no-collectstatic", "--bind",
                                 f"127.0.0.1:{port}", "--workers", "1") for n, port in enumerate(ports, 1)]
        workers = [processes.start(f"worker{n}", "worker") for n in (1, 2)]
        for node, port in zip(nodes, ports, strict=True):
            _wait_until_serving(processes, node, port)

        jobs = {str(scale_out_job.enqueue(number).id): number for number in range(JOBS)}

        # The load: every firm claims once, spread over both nodes; node 1 is killed when a third have answers.
        node1_alive = True
        answers: dict[int, tuple] = {}
        lock = threading.Lock()

        def claim(i: int) -> None:
            firm_id, token = firms[i]
            result = _claim(ports, i % 2, token, batch.pk, f"scale-{firm_id}")
            with lock:
                answers[firm_id] = result

        killed_worker = None
        with ThreadPoolExecutor(max_workers=6) as pool:
            futures = [pool.submit(claim, i) for i in range(FIRMS)]
            while not all(f.done() for f in futures) and time.monotonic() - started < HANG_GUARD:
                if node1_alive and len(answers) >= FIRMS // 3:
                    processes.kill(nodes[0])
                    node1_alive = False
                if killed_worker is None:
                    killed_worker = _kill_worker_mid_job(processes, workers[0])
                time.sleep(0.01)
            for f in futures:
                f.result(timeout=30)
        assert not node1_alive, "the load finished before node 1 could be killed"
        while killed_worker is None and time.monotonic() - started < HANG_GUARD:
            killed_worker = _kill_worker_mid_job(processes, workers[0])
            time.sleep(0.01)
        assert killed_worker is not None, "worker 1 ran no job before the deadline"

        # The surviving worker finishes the queue, the dead worker's job included.
        while time.monotonic() - started < HANG_GUARD + 30:
            if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
                break
            assert workers[1].poll() is None, processes.log(workers[1])
            time.sleep(0.2)
        unfinished = list(DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).values_list(
            "task_path", "status", "worker_ids"))
        assert not unfinished, f"{unfinished}\n{processes.log(workers[1])}"
        assert nodes[1].poll() is None and workers[1].poll() is None
    finally:
        processes.stop_all()

    # Every acknowledged claim is in the database, once; no claim the clients were not told of.
    assert len(answers) == FIRMS
    claimed = {firm: body["voucher"]["id"] for firm, (status, body, _) in answers.items() if status in (200, 201)}
    refused = {firm: body["code"] for firm, (status, body, _) in answers.items() if status not in (200, 201)}
    assert set(refused.values()) <= {"sold_out"}, refused
    assert len(claimed) == VOUCHERS and len(refused) == FIRMS - VOUCHERS
    in_db = dict(Voucher.objects.filter(batch=batch).values_list("firm_id", "pk"))
    assert in_db == claimed
    assert Slot.objects.filter(batch=batch, taken=True).count() == VOUCHERS
    assert services.batch_budget(batch)["reconciles"]
    assert any(attempts > 1 for _, _, attempts in answers.values()), "no request was retried after the kill"

    # Every job done, its effect once; the killed worker's job ran again on the other worker.
    results = {str(r.id): r for r in DBTaskResult.objects.filter(task_path__endswith="scale_out_job")}
    assert set(results) == set(jobs) and {r.status for r in results.values()} == {"SUCCESSFUL"}
    assert _rows("SELECT number, count(*) FROM scaleout_effect GROUP BY number ORDER BY number") == [
        (n, 1) for n in range(JOBS)]
    killed_id, number = killed_worker
    [recovered] = [r for r in results.values() if len(r.worker_ids) > 1]
    assert jobs[str(recovered.id)] == number and recovered.worker_ids[0] == killed_id
    assert len(recovered.worker_ids) == 2 and f":{workers[1].pid}:" in recovered.worker_ids[1]
    # Its killed run left an attempt (its open transaction died with it); the second run wrote the effect, or found
    # it written when the kill came between the effect's commit and the task's end.
    assert _rows("SELECT pid FROM scaleout_attempt WHERE number = %s ORDER BY id", number) == [
        (workers[0].pid,), (workers[1].pid,)]

    # The periodic tasks both schedulers found due: each enqueued once, and done.
    periodic = list(DBTaskResult.objects.filter(enqueued_at__gte=setup_done).exclude(
        task_path__endswith="scale_out_job").values_list("task_path", "status"))
    paths = [path for path, _ in periodic]
    assert paths, "the schedulers enqueued no periodic task"
    assert len(paths) == len(set(paths)), sorted(paths)
    assert {status for _, status in periodic} <= {"SUCCESSFUL"}, periodic


def _kill_worker_mid_job(processes: Processes, worker) -> tuple[str, int] | None:
    """If `worker` is in the middle of a job now (its attempt logged, its effect not written), SIGKILL it; returns
    (its worker id, the job's number)."""
    from django_tasks_db.models import DBTaskResult

    for worker_ids, args_kwargs in DBTaskResult.objects.filter(
            status="RUNNING", task_path__endswith="scale_out_job").values_list("worker_ids", "args_kwargs"):
        number = args_kwargs["args"][0]
        if worker_ids and f":{worker.pid}:" in worker_ids[-1] and _rows(
                "SELECT 1 FROM scaleout_attempt WHERE number = %s AND pid = %s AND NOT EXISTS "
                "(SELECT 1 FROM scaleout_effect WHERE number = %s)", number, worker.pid, number):
            processes.kill(worker)
            return worker_ids[-1], number
    return None
