"""Three instances forming a network on one machine: a city (Suzhou), its province (Jiangsu) and the nation.

Each is a separate Fuhua: its own FUHUA_HOME (SQLite database, secret key, signing key), its own `fuhua serve`
process on a 127.0.0.1 port, its own administrator. They register each other (each side an audited act of
its administrator, with the other's public key) and sync for real over HTTP: the province pulls the city,
the nation pulls the province. `fuhua network demo` runs it for a person to look at; the multi-instance test
(federation/tests/test_network.py) drives the same nodes.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ADMIN = "netadmin"


def fuhua_command() -> list[str]:
    """The `fuhua` entry point of this interpreter's environment."""
    script = Path(sys.executable).with_name("fuhua")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fuhua.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Node:
    code: str
    name: str
    region: str | None
    home: Path
    port: int
    parent: Node | None = None
    public_key: str = ""
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    server: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        env.update(FUHUA_HOME=str(self.home), DJANGO_SUPERUSER_PASSWORD=self.password, PYTHONUNBUFFERED="1")
        return env

    def run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        done = subprocess.run([*fuhua_command(), *args], env=self.env, capture_output=True, text=True,  # noqa: S603
                              timeout=timeout, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"{self.name}: fuhua {' '.join(args)} failed ({done.returncode}):\n{done.stderr}"
                               f"{done.stdout}")
        return done

    def python(self, code: str) -> object:
        """Run `code` inside this instance (Django set up on its database); returns what it prints as JSON
        on its last line."""
        done = self.run("manage", "shell", "-c", code)
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None

    def popen(self, *args: str, log: Path | None = None) -> subprocess.Popen:
        out = (log or self.home / "process.log").open("ab")
        return subprocess.Popen([*fuhua_command(), *args], env=self.env, stdout=out,  # noqa: S603
                                stderr=subprocess.STDOUT, start_new_session=True)

    def serve(self) -> None:
        # Static files straight from the apps (WHITENOISE_USE_FINDERS): collecting and compressing 14 MB of assets
        # for each node (~20 s of CPU) buys nothing for three instances on one machine.
        self.server = self.popen("serve", "--insecure-http", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
                                 "--no-collectstatic", log=self.home / "server.log")

    def wait_until_serving(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server is not None and self.server.poll() is not None:
                raise RuntimeError(f"{self.name}'s server stopped: {(self.home / 'server.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.url + "/api/v1/network/feed", timeout=2)  # noqa: S310
            except urllib.error.HTTPError:
                return  # it answers (403: not signed)
            except OSError:
                time.sleep(0.2)
                continue
            return
        raise RuntimeError(f"{self.name} did not start serving on {self.url}")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(5)


def plan(base: Path, ports: tuple[int, int, int] | None = None) -> list[Node]:
    ports = ports or (free_port(), free_port(), free_port())
    nation = Node("CN", "全国", None, base / "nation", ports[2])
    province = Node("320000", "江苏省", "320000", base / "jiangsu", ports[1], parent=nation)
    city = Node("320500", "苏州市", "320500", base / "suzhou", ports[0], parent=province)
    return [city, province, nation]


def _parallel(function, nodes) -> list:
    with ThreadPoolExecutor(len(nodes)) as pool:
        return list(pool.map(function, nodes))


def build(base: Path, nodes: list[Node]) -> list[Node]:
    """Databases (migrated once, copied), identities, administrators, and each side's registration of the other."""
    template = base / "template"
    shutil.rmtree(template, ignore_errors=True)
    template.mkdir(parents=True)
    seed = Node("template", "template", None, template, 0)
    seed.run("manage", "migrate", "-v", "0", timeout=300)
    for node in nodes:
        shutil.rmtree(node.home, ignore_errors=True)
        node.home.mkdir(parents=True)
        shutil.copy(template / "fuhua.sqlite3", node.home / "fuhua.sqlite3")
    return enroll(nodes)


def enroll(nodes: list[Node]) -> list[Node]:
    """On databases that exist: for each node, in one process per node and in parallel across nodes, an
    administrator, its identity and its administrator's registration of its parent and children. The signing
    keys are made here first (in each node's FUHUA_HOME, as `fuhua network init` makes them; `init` keeps a key
    file it finds), so every node knows the others' public keys before any of them starts."""
    from . import keys

    for node in nodes:
        path = node.home / "federation" / "instance_ed25519.pem"
        node.public_key = keys.public_key_text(keys.load_key(path) if path.exists() else keys.generate_key(path))

    def enroll_one(node: Node) -> None:
        peers = [("parent", node.parent)] if node.parent else []
        peers += [("child", child) for child in nodes if child.parent is node]
        node.python(
            "from django.contrib.auth import get_user_model\n"
            "from fuhua.core.context import acting_as\n"
            "from fuhua.federation.exchange import ensure_identity\n"
            "from fuhua.federation.services import register_peer\n"
            f"admin = get_user_model().objects.create_superuser({ADMIN!r}, 'netadmin@example.cn', {node.password!r})\n"
            "with acting_as(None, source='cli'):\n"
            f"    ensure_identity(code={node.code!r}, name={node.name!r}, region_code={node.region!r}, "
            f"url={node.url!r})\n"
            "with acting_as(admin, source='cli'):\n"
            + "".join(f"    register_peer(admin, relation={relation!r}, code={p.code!r}, name={p.name!r}, "
                      f"public_key={p.public_key!r}, region_code={p.region!r}, url={p.url!r})\n"
                      for relation, p in peers)
            + "    pass\n"
            + "print('null')")

    _parallel(enroll_one, nodes)
    return nodes


def start(nodes: list[Node]) -> None:
    for node in nodes:
        node.serve()
    for node in nodes:
        node.wait_until_serving()


def stop(nodes: list[Node]) -> None:
    for node in nodes:
        node.stop()


# --- data at the city, run inside its process (Node.python) ----------------------------------------------


def seed_city(carriers: int = 3, firms: int = 0, tag: str = "") -> None:
    """Carriers (each with its operator and a recognition) and firms in Suzhou, as its bureau records them."""
    import datetime

    from fuhua.core.audit import record_bulk
    from fuhua.core.validators import credit_code_check_char
    from fuhua.registry.models import Carrier, Firm, Organisation, Recognition, Region

    serial = iter(range(Firm.objects.count() + Organisation.objects.count() + 1, 10**8))

    def credit_code(region: str) -> str:
        body = f"91{region}{next(serial):09d}"[:17]
        return body + credit_code_check_char(body)

    sip = Region.objects.filter(code="320571").first() or Region.objects.get(code="320500")
    made = []
    for n in range(carriers):
        operator = Organisation.objects.create(name=f"苏州{tag}科创发展有限公司{n + 1}号",
                                               credit_code=credit_code("320500"), kind="enterprise",
                                               ownership="private", region=sip)
        carrier = Carrier.objects.create(name=f"苏州{tag}孵化器{n + 1}号", operator=operator, region=sip,
                                         kind="incubator", established=datetime.date(2016, 5, 1),
                                         incubation_area_m2=10000, tenant_area_m2=8000, workstations=200)
        Recognition.objects.create(carrier=carrier, level="provincial", kind="recognition", carrier_kind="incubator",
                                   authority="江苏省科学技术厅", document_number=f"苏科高发〔2024〕{n + 1}号",
                                   granted_on=datetime.date(2024, 6, 1))
        made.append(carrier.name)
    if firms:
        rows = [Firm(name=f"苏州{tag}科技有限公司{n + 1}号", credit_code=credit_code("320500"),
                     founded=datetime.date(2023, 3, 1), industry_field="ai", region=sip) for n in range(firms)]
        rows = Firm.objects.bulk_create(rows, batch_size=1000)
        record_bulk(Firm, "create", rows)
    print(json.dumps(made))


def change_city(address: str) -> None:
    """The first carrier moves; the last recognition is withdrawn (deleted)."""
    from fuhua.registry.models import Carrier, Recognition

    carrier = Carrier.objects.order_by("pk").first()
    carrier.address = address
    carrier.save()
    gone = Recognition.objects.order_by("pk").last()
    number = gone.document_number
    gone.delete()
    print(json.dumps({"carrier": carrier.name, "deleted": number}))


# --- `fuhua network demo` -------------------------------------------------------------------------------


def demo(base: Path, ports: tuple[int, int, int], interval: float, echo=print) -> None:
    nodes = plan(base, ports)
    city, province, nation = nodes

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)  # stopped by a supervisor: stop the three servers too
    echo(f"Building three instances under {base} …")
    try:
        build(base, nodes)
        city.python("from fuhua.federation.network_demo import seed_city; seed_city(carriers=5, firms=20)")
        start(nodes)
        for node in nodes:
            echo(f"  {node.name:<4} {node.url}/  (sign in as {ADMIN} / {node.password}; "
                 f"network page {node.url}/network/)")
        echo(f"The province pulls the city and the nation pulls the province every {interval:g} s; Ctrl-C stops.")
        while True:
            for puller in (province, nation):
                done = puller.run("network", "sync", check=False)
                echo(f"[{time.strftime('%H:%M:%S')}] {puller.name}: {(done.stdout + done.stderr).strip()}")
            time.sleep(interval)
    except KeyboardInterrupt:
        echo("Stopping the three servers.")
    finally:
        stop(nodes)
