"""`fuhua network …` in-process: identity, registering a peer as an administrator, export and import as files."""

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fuhua.core.models import ObjectChange
from fuhua.federation.cli import network
from fuhua.federation.keys import public_key_text
from fuhua.federation.models import Instance, Peer
from fuhua.federation.testing import Child, carrier, organisation

pytestmark = pytest.mark.django_db


def run(*args):
    return CliRunner().invoke(network, list(args), catch_exceptions=False)


def test_identity_peers_export_and_import(world, settings, tmp_path):
    settings.FUHUA_HOME = tmp_path
    done = run("init", "--code", "320000", "--name", "江苏省", "--region", "320000")
    assert done.exit_code == 0 and Instance.objects.get().code == "320000"
    assert (tmp_path / "federation" / "instance_ed25519.pem").exists()
    assert run("init", "--code", "320000", "--name", "again").exit_code == 1

    key = public_key_text(Ed25519PrivateKey.generate())
    args = ["add-peer", "--relation", "parent", "--code", "CN", "--name", "全国", "--public-key", key]
    refused = run(*args, "--user", "bureau_js")
    assert refused.exit_code == 1 and "Not registered" in refused.output
    assert run(*args, "--user", "admin").exit_code == 0
    assert ObjectChange.objects.filter(content_type__model="peer", username="admin", action="create").count() == 1
    assert "CN" in run("peers").output and "position" in run("status").output

    out = tmp_path / "to-nation.tar.gz"
    exported = run("export", "-o", str(out))
    assert exported.exit_code == 0 and out.exists() and "for 全国 (CN)" in exported.output

    child = Child()
    archive = child.package(tmp_path / "city.tar.gz", {"organisations": [organisation(1)], "carriers": [carrier(2, 1)]})
    imported = run("import", str(archive))
    assert imported.exit_code == 0 and "2 created" in imported.output
    assert Peer.objects.get(code="320500").position == child.position
    bad = run("import", str(child.package(tmp_path / "wrong.tar.gz", {"carriers": [carrier(3, 1)]},
                                          key=Ed25519PrivateKey.generate())))
    assert bad.exit_code == 1 and "Refused: Bad signature" in bad.output


def test_the_demo_instance_gets_its_identity(settings, tmp_path):
    import datetime

    from fuhua.core.demo import DemoRun
    from fuhua.federation.demo import load_identity
    from fuhua.testing import regions

    regions()
    settings.FUHUA_HOME = tmp_path
    run = DemoRun(scale="province", today=datetime.date(2026, 6, 30))
    load_identity(run)
    load_identity(run)  # again: kept
    assert list(Instance.objects.values_list("code", "region_id")) == [("320000", "320000")]
    assert "this instance is 江苏省 (320000)" in run.notes[-1]
