"""`fuhua backup` / `fuhua restore` (core.backup): a round trip on the database in use (SQLite, and
PostgreSQL when DATABASE_URL points at it), verified by row counts and checksums; corrupted archives are
refused before anything changes; loading data adds no audit entries (F9)."""

import hashlib
import io
import json
import re
import tarfile

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection

from fuhua.core.backup import BackupError, create_backup, restore_backup
from fuhua.core.models import ObjectChange
from fuhua.registry.models import Carrier

transactional = pytest.mark.django_db(transaction=True)  # a restore replaces the whole database
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="DATABASE_URL is not PostgreSQL: the pg_dump/pg_restore round trip "
                                          "runs in CI's PostgreSQL pass")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite round trip (DATABASE_URL is "
                                                                     "PostgreSQL)")


@pytest.fixture
def home(tmp_path, settings):
    settings.FUHUA_HOME = tmp_path / "home"
    settings.MEDIA_ROOT = tmp_path / "home" / "media"
    (settings.MEDIA_ROOT / "evidence" / "2025").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "2025" / "合同.pdf").write_bytes(b"%PDF-1.4 evidence")
    (settings.FUHUA_HOME / "uploads").mkdir()
    (settings.FUHUA_HOME / "uploads" / "token.xlsx").write_bytes(b"PK\x03\x04 workbook")
    return settings.FUHUA_HOME


def _counts(tables) -> dict[str, int]:
    with connection.cursor() as cursor:
        result = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            result[table] = cursor.fetchone()[0]
    return result


def _round_trip(world, home, tmp_path):
    carrier = world.carrier_a
    name = carrier.name
    result = create_backup(tmp_path / "out")
    manifest = result.manifest
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"]["registry_carrier"] == Carrier.objects.count()
    assert manifest["tables"]["core_objectchange"] == ObjectChange.objects.count() > 0
    evidence = home / "media" / "evidence" / "2025" / "合同.pdf"
    assert manifest["files"]["files/media/evidence/2025/合同.pdf"] == hashlib.sha256(evidence.read_bytes()).hexdigest()
    assert "files/uploads/token.xlsx" in manifest["files"]

    # after the backup: a rename (and its audit entry), a deleted evidence file, a stray new one
    carrier.name = "改名后的载体"
    carrier.save()
    evidence.unlink()
    (home / "media" / "stray.txt").write_text("not in the backup")
    assert ObjectChange.objects.count() == manifest["tables"]["core_objectchange"] + 1

    restored = restore_backup(result.path)
    assert restored == manifest
    assert _counts(manifest["tables"]) == manifest["tables"]
    assert Carrier.objects.get(pk=carrier.pk).name == name
    assert hashlib.sha256(evidence.read_bytes()).hexdigest() == manifest["files"]["files/media/evidence/2025/合同.pdf"]
    assert not (home / "media" / "stray.txt").exists()
    return result


def _rewrite(archive, target, member_name, change):
    """Copy `archive` to `target`, passing the bytes of `member_name` through `change` (manifest kept)."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == member_name:
                data = change(data)
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def _refuses_corruption(result, tmp_path):
    manifest = result.manifest
    carrier_count = Carrier.objects.count()
    Carrier.objects.filter(pk=Carrier.objects.first().pk).update(name="变更不应被恢复覆盖")
    flipped = _rewrite(result.path, tmp_path / "flipped.tar.gz", manifest["database"],
                       lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]))
    with pytest.raises(BackupError, match=f"checksum mismatch for {re.escape(manifest['database'])}"):
        restore_backup(flipped)
    with pytest.raises(BackupError, match="not a readable Fuhua backup"):
        truncated = tmp_path / "truncated.tar.gz"
        truncated.write_bytes(result.path.read_bytes()[:-200])
        restore_backup(truncated)
    tampered = _rewrite(result.path, tmp_path / "tampered.tar.gz", "files/uploads/token.xlsx", lambda d: d + b"!")
    with pytest.raises(BackupError, match=r"checksum mismatch for files/uploads/token\.xlsx"):
        restore_backup(tampered)
    # nothing was touched by the refused restores
    assert Carrier.objects.count() == carrier_count
    assert Carrier.objects.filter(name="变更不应被恢复覆盖").count() == 1


@on_sqlite
@transactional
def test_sqlite_round_trip_restores_rows_and_files_and_refuses_corruption(world, home, tmp_path):
    result = _round_trip(world, home, tmp_path)
    assert result.manifest["database"] == "database.sqlite3"
    _refuses_corruption(result, tmp_path)


@on_postgresql
@pytest.mark.postgres
@transactional
def test_postgresql_round_trip_restores_rows_and_files_and_refuses_corruption(world, home, tmp_path):
    result = _round_trip(world, home, tmp_path)
    assert result.manifest["database"] == "database.pgdump"
    _refuses_corruption(result, tmp_path)
    # the append-only triggers came back with the schema
    from fuhua.core.append_only import installed_triggers

    assert set(installed_triggers()) >= {"core_objectchange", "policies_payout"}


@transactional
def test_backup_and_restore_commands(world, home, tmp_path, monkeypatch):
    from fuhua.core import ops_cli

    monkeypatch.setattr(ops_cli, "_setup_django", lambda: None)  # Django is already set up by pytest
    runner = CliRunner()
    made = runner.invoke(ops_cli.backup, ["--output", str(tmp_path / "b")])
    assert made.exit_code == 0, made.output
    archive = next((tmp_path / "b").glob("fuhua-backup-*.tar.gz"))
    assert f"{archive}" in made.output and "2 uploaded files" in made.output
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    broken = _rewrite(archive, tmp_path / "broken.tar.gz", manifest["database"], lambda data: data + b"x")
    refused = runner.invoke(ops_cli.restore, [str(broken), "--yes"])
    assert refused.exit_code == 1 and "restore refused: checksum mismatch" in refused.output
    done = runner.invoke(ops_cli.restore, [str(archive), "--yes"])
    assert done.exit_code == 0 and "match the manifest" in done.output, done.output


@pytest.mark.django_db
def test_loaddata_adds_no_audit_entries(tmp_path):
    group = Group.objects.create(name="审计员")
    group.permissions.set(Permission.objects.filter(codename__startswith="view_")[:3])
    fixture = tmp_path / "groups.json"
    call_command("dumpdata", "auth.group", output=str(fixture))
    group.delete()  # loading it back adds the group and its permissions (a many-to-many post_add)
    before = ObjectChange.objects.count()
    call_command("loaddata", str(fixture), verbosity=0)
    assert ObjectChange.objects.count() == before
    assert Group.objects.get(name="审计员").permissions.count() == 3
