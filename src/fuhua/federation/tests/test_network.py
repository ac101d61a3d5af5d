"""A real network: three Fuhua instances (Suzhou, Jiangsu, the nation), each its own `fuhua serve` process and
SQLite database on a 127.0.0.1 port, syncing over HTTP with signed requests and signed packages.

Data created in the city appears at the nation with its provenance; a change and a deletion propagate; a
sync killed in the middle of its import resumes without loss or duplicates; a tampered package is refused.
CI runs it once, on SQLite (marker `network`; .ci/run leaves it out of the PostgreSQL run).
"""

import os
import signal
import sqlite3
import time

import pytest

from fuhua.federation import network_demo
from fuhua.federation.testing import rewrite_member

pytestmark = pytest.mark.network

FIRMS = 1000


def query(node, sql, *params):
    with sqlite3.connect(f"file:{node.home / 'fuhua.sqlite3'}?mode=ro", uri=True, timeout=10) as db:
        return db.execute(sql, params).fetchall()


def count(node, table):
    return query(node, f"SELECT count(*) FROM {table}")[0][0]


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    nodes = network_demo.plan(tmp_path_factory.mktemp("network"))
    try:
        network_demo.build(nodes[0].home.parent, nodes)
        network_demo.start(nodes)
        yield nodes
    finally:
        network_demo.stop(nodes)


def test_three_instances_sync_over_http(network):
    city, province, nation = network
    carriers = city.python(f"from fuhua.federation.network_demo import seed_city; seed_city(3, {FIRMS})")

    # The province's sync is killed while it imports (batches of 20 records), then run again: it resumes.
    sync = province.popen("network", "sync", "--batch-size", "20", log=province.home / "sync.log")
    deadline = time.monotonic() + 30
    applied = []
    while time.monotonic() < deadline and sync.poll() is None:
        try:
            applied = query(province, "SELECT id, applied FROM federation_packagelog WHERE outcome = 'applying'")
        except sqlite3.OperationalError:
            applied = []
        if applied and applied[0][1] > 0:
            os.killpg(sync.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    sync.wait(10)
    assert applied and applied[0][1] > 0, "the sync finished before it could be killed"
    (log_id, _), = applied
    assert count(province, "registry_firm") < FIRMS
    assert query(province, "SELECT position FROM federation_peer WHERE code = '320500'") == [(0,)]

    province.run("network", "sync")
    assert query(province, "SELECT outcome FROM federation_packagelog WHERE id = ?", log_id) == [("imported",)]
    assert count(province, "registry_firm") == FIRMS
    assert count(province, "registry_carrier") == 3 and count(province, "registry_recognition") == 3
    assert query(province, "SELECT count(*), count(DISTINCT source_id) FROM federation_federatedrecord "
                           "WHERE model = 'registry.firm'") == [(FIRMS, FIRMS)]

    # The nation pulls the province: the city's records arrive with the city as their source.
    nation.run("network", "sync")
    assert sorted(r[0] for r in query(nation, "SELECT name FROM registry_carrier")) == sorted(carriers)
    sources = query(nation, "SELECT f.origin_id, f.source_id, c.name FROM federation_federatedrecord f "
                            "JOIN registry_carrier c ON CAST(c.id AS TEXT) = f.local_id "
                            "WHERE f.model = 'registry.carrier'")
    at_city = dict(query(city, "SELECT name, CAST(id AS TEXT) FROM registry_carrier"))
    assert sorted(sources) == sorted(("320500", at_city[name], name) for name in carriers)
    assert count(nation, "registry_firm") == FIRMS
    assert query(nation, "SELECT name FROM federation_origin ORDER BY code") == [("江苏省",), ("苏州市",)]

    # A change and a deletion at the city reach the nation.
    changed = city.python("from fuhua.federation.network_demo import change_city; change_city('星湖街328号')")
    province.run("network", "sync")
    nation.run("network", "sync")
    assert query(nation, "SELECT address FROM registry_carrier WHERE name = ?", changed["carrier"]) == [
        ("星湖街328号",)]
    assert query(nation, "SELECT count(*) FROM registry_recognition WHERE document_number = ?",
                 changed["deleted"]) == [(0,)]
    assert count(nation, "registry_recognition") == 2

    # A package carried by hand and tampered with on the way is refused, and nothing is written.
    archive = city.home / "carried.tar.gz"
    city.run("network", "export", "--since", "0", "-o", str(archive))
    rewrite_member(archive, "data/carriers.jsonl", lambda data: data.replace("星湖街".encode(), "别处街".encode()))
    before = count(province, "registry_carrier"), count(province, "federation_federatedrecord")
    refused = province.run("network", "import", str(archive), check=False)
    assert refused.returncode == 1 and "Wrong checksum: data/carriers.jsonl" in refused.stderr
    assert (count(province, "registry_carrier"), count(province, "federation_federatedrecord")) == before
    assert query(province, "SELECT outcome FROM federation_packagelog ORDER BY id DESC LIMIT 1") == [("refused",)]
