"""API throughput and p99 under gunicorn (sync workers, persistent connections), measured with wrk.

Side by side in one run: a bare one-row django-ninja endpoint, a carrier detail and a filtered firm
list of 50 rows, as the Suzhou bureau user (scoped queries, token auth) over the province demo.

    .venv/bin/python benchmarks/api_throughput.py [--home DIR] [--seconds 10] [--connections 16] [--rounds 3]

Goals: detail ≥ 60% and list ≥ 30% of the bare endpoint's requests per second. Cases run in interleaved
rounds (each case's best round counts); the server's CPU milliseconds per request are printed too, the
steadier figure when others load the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def ensure_demo(home: Path) -> None:
    if not (home / "fuhua.sqlite3").exists():
        print(f"building the province demo in {home} …", flush=True)
        subprocess.run([BIN / "fuhua", "demo", "--scale", "province", "--no-serve"], check=True,
                       env={**os.environ, "FUHUA_HOME": str(home)}, stdout=subprocess.DEVNULL)
    # A demo built by an earlier version gets the indexes added since (migrations), like a deployment would.
    subprocess.run([BIN / "fuhua", "manage", "migrate", "--verbosity", "0"], check=True,
                   env={**os.environ, "FUHUA_HOME": str(home), "DJANGO_SETTINGS_MODULE": "fuhua.settings"})


def django_shell(home: Path, code: str) -> str:
    env = {**os.environ, "FUHUA_HOME": str(home), "DJANGO_SETTINGS_MODULE": "fuhua.settings"}
    out = subprocess.run([BIN / "fuhua", "manage", "shell", "-c", code], env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def server_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master and its workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == master or ppid == master:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def wrk(url: str, token: str, seconds: int, connections: int, master: int) -> tuple[float, str, float]:
    """Requests per second, p99 and the server's CPU milliseconds per request."""
    cpu = server_cpu(master)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}", url],
        check=True, capture_output=True, text=True,
    ).stdout
    cpu = server_cpu(master) - cpu
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise SystemExit(f"{url} answered errors:\n{out}")
    return rps, p99, cpu * 1000 / max(requests, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=ROOT / "benchmarks" / "results" / "province")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; each case's best counts")
    args = parser.parse_args()
    home = args.home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    ensure_demo(home)
    token = django_shell(home, (
        "from django.contrib.auth import get_user_model as g;"
        "from fuhua.accounts.models import ApiToken as T;"
        "print(T.issue(g().objects.get(username='bureau_sz'), 'benchmark')[1])"))
    carrier_id = django_shell(home, (
        "from fuhua.registry.models import Carrier;"
        "print(Carrier.objects.filter(region__code__startswith='3205').order_by('id').first().id)"))
    port = 8765
    env = {**os.environ, "FUHUA_HOME": str(home), "DJANGO_SETTINGS_MODULE": "bench_settings",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH")]))}
    server = subprocess.Popen(
        [BIN / "gunicorn", "--workers", str(args.workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "fuhua.wsgi:application"], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                urllib.request.urlopen(f"{base}/bench/region", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        cases = {
            "bare one-row ninja endpoint": f"{base}/bench/region",
            "carrier detail": f"{base}/api/v1/carriers/{carrier_id}",
            "firm list, 50 rows, filtered": f"{base}/api/v1/firms?region=320500&industry_field=ai&limit=50",
        }
        for url in cases.values():
            wrk(url, token, 2, args.connections, server.pid)  # warm up: connections, caches
        # Rounds interleave the cases, so that a shared machine's load drifting during the run weighs on
        # all of them alike; each case's best round is its figure (the least disturbed one).
        rounds: dict[str, list[tuple[float, str, float]]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, url in cases.items():
                rounds[name].append(wrk(url, token, args.seconds, args.connections, server.pid))
    finally:
        server.terminate()
        server.wait()
    results = {name: max(runs) for name, runs in rounds.items()}
    bare = "bare one-row ninja endpoint"
    bare_rps = results[bare][0]
    # The server's CPU per request is the steadier figure on a shared machine: what a worker spends on one
    # request does not depend on how much of the CPU others leave it. Its ratio is the throughput ratio of
    # a CPU-bound server with the machine to itself.
    bare_cpu = min(r[2] for r in rounds[bare])
    print(f"{'endpoint':<32}{'req/s':>8}{'p99':>10}{'of bare':>9}{'CPU ms/req':>12}{'of bare':>9}   rounds (req/s)")
    for name, (rps, p99, _cpu) in results.items():
        cpu = min(r[2] for r in rounds[name])
        each = ", ".join(f"{r[0]:.0f}" for r in rounds[name])
        print(f"{name:<32}{rps:>8.0f}{p99:>10}{rps / bare_rps:>9.0%}{cpu:>12.2f}{bare_cpu / cpu:>9.0%}   {each}")
    per_round = [[rounds[name][i][0] / rounds[bare][i][0] for i in range(args.rounds)] for name in cases]
    print("req/s of bare, round by round: " + "; ".join(
        f"{name} {', '.join(f'{r:.0%}' for r in ratios)}" for name, ratios in zip(cases, per_round, strict=True)))
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

if __name__ == "__main__":
    main()
