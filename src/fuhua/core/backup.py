"""Backup and restore of a Fuhua installation: the database and the uploaded files, verified.

An archive (`fuhua-backup-<UTC time>.tar.gz`) holds:

- `database.sqlite3` (SQLite, copied with the online backup API while the server runs) or
  `database.pgdump` (PostgreSQL, `pg_dump -Fc` from the same snapshot the row counts were taken in);
- `files/media/...` (MEDIA_ROOT: evidence attached to applications) and `files/uploads/...`
  (FUHUA_HOME/uploads: workbooks kept between an upload and its import);
- `manifest.json`: the database vendor, the row count of every table, and the SHA-256 of every
  other member of the archive.

`restore_backup` checks the whole archive against its manifest before it touches anything (every
member listed, nothing extra, every checksum), refuses an archive of the other database vendor, then
replaces the database (SQLite: the backup API into the live database; PostgreSQL: `pg_restore --clean
--if-exists --single-transaction`, so a failed restore changes nothing) and the file directories, and
finally compares every table's row count with the manifest. Nothing is loaded through the ORM, so no
audit entry or other side effect fires; the append-only triggers come back with the schema.

Not in the archive: FUHUA_HOME/secret_key (sessions and password-reset links only; keep it, or
SECRET_KEY, with your secrets, not with your data).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, transaction

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """An archive that cannot be written or that is refused on restore (with the reason)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())


def file_roots() -> dict[str, Path]:
    """The directories of uploaded files that a backup carries, by their name in the archive."""
    return {"media": Path(settings.MEDIA_ROOT), "uploads": Path(settings.FUHUA_HOME) / "uploads"}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608  (a quoted table name)
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [name for (name,) in rows]


# --- PostgreSQL tools -------------------------------------------------------------------------------------

def _pg_args_env() -> tuple[list[str], dict[str, str]]:
    conf = connection.settings_dict
    args = ["--dbname", conf["NAME"]]
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not on PATH: install the PostgreSQL client tools (postgresql-client)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603  (no shell)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


# --- backup -----------------------------------------------------------------------------------------------

def _dump_database(target: Path) -> dict[str, int]:
    """Write the database to `target`; returns the row count per table, of exactly what was written."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # the online backup API: a consistent copy, writers keep going
            return _count_rows(copy.cursor(), _sqlite_tables(copy))
        finally:
            copy.close()
    if connection.vendor == "postgresql":
        args, env = _pg_args_env()
        with transaction.atomic(), connection.cursor() as cursor:
            # One snapshot for the counts and for pg_dump: what the manifest says is what the dump holds.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count_rows(cursor, connection.introspection.table_names(cursor))
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  "--file", str(target), *args], env)
        return counts
    raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")


def create_backup(output_dir: Path | str, *, now: datetime.datetime | None = None) -> BackupResult:
    """Write a verified archive of the database and the uploaded files into `output_dir`."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.datetime.now(datetime.UTC)).strftime("%Y%m%dT%H%M%SZ")
    path = output_dir / f"fuhua-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="fuhua-backup-", dir=output_dir) as staging:
        staging = Path(staging)
        db_member = DATABASE_MEMBER.get(connection.vendor, "database")
        tables = _dump_database(staging / db_member)
        members = {db_member: staging / db_member}
        for name, root in file_roots().items():
            if root.is_dir():
                for file in sorted(p for p in root.rglob("*") if p.is_file()):
                    members[f"files/{name}/{file.relative_to(root).as_posix()}"] = file
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "vendor": connection.vendor,
            "database": db_member,
            "tables": tables,
            "files": {member: _sha256(source) for member, source in members.items()},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        partial = path.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(staging / MANIFEST, arcname=MANIFEST)
            for member, source in members.items():
                archive.add(source, arcname=member)
        partial.rename(path)  # a crash leaves a .partial, never a truncated archive under the real name
    return BackupResult(path=path, manifest=manifest)


# --- restore ----------------------------------------------------------------------------------------------

def _safe_member(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not PurePosixPath(name).is_absolute() and ".." not in parts


def verify_archive(archive_path: Path | str, into: Path) -> dict:
    """Extract the archive into `into` and check it against its manifest; returns the manifest.

    Refuses (BackupError naming the member) an unreadable archive, a member missing from or not listed
    in the manifest, a link or unsafe path, and any checksum that differs."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            members = archive.getmembers()
            for member in members:
                if not member.isfile() or not _safe_member(member.name):
                    raise BackupError(f"archive member {member.name!r} is not a plain file with a safe path")
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive_path} is not a readable Fuhua backup: {exc}") from exc
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{archive_path} has no readable {MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST}: format {manifest.get('format')!r}, this Fuhua reads format {FORMAT}")
    listed = set(manifest.get("files", {}))
    present = {m.name for m in members} - {MANIFEST}
    if missing := sorted(listed - present):
        raise BackupError(f"archive is missing {missing[0]} (listed in the manifest)")
    if extra := sorted(present - listed):
        raise BackupError(f"archive member {extra[0]} is not listed in the manifest")
    for member, expected in sorted(manifest["files"].items()):
        if _sha256(into / member) != expected:
            raise BackupError(f"checksum mismatch for {member}: the archive is corrupted or was altered")
    if manifest.get("database") not in listed:
        raise BackupError(f"{MANIFEST} names no database file")
    return manifest


def _restore_database(manifest: dict, dump: Path) -> None:
    if connection.vendor == "sqlite":
        source = sqlite3.connect(dump)
        try:
            if (found := _count_rows(source.cursor(), _sqlite_tables(source))) != manifest["tables"]:
                raise BackupError(f"the database file's row counts differ from the manifest: {_diff(found, manifest)}")
            connection.ensure_connection()
            source.backup(connection.connection)  # page by page into the live database, in one step
        finally:
            source.close()
    else:
        args, env = _pg_args_env()
        connection.close()  # no session of ours holds a lock on the tables pg_restore drops
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", *args, str(dump)], env)


def _diff(found: dict[str, int], manifest: dict) -> str:
    expected = manifest["tables"]
    wrong = [f"{t}: {found.get(t)} (manifest {expected.get(t)})" for t in sorted(set(found) | set(expected))
             if found.get(t) != expected.get(t)]
    return "; ".join(wrong[:5]) + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else "")


def _restore_files(extracted: Path) -> None:
    for name, root in file_roots().items():
        incoming = extracted / "files" / name
        old = root.with_name(f".{root.name}.before-restore")
        shutil.rmtree(old, ignore_errors=True)
        if root.exists():
            root.rename(old)
        if incoming.is_dir():
            root.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(incoming), str(root))
        else:
            root.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(old, ignore_errors=True)


def restore_backup(archive_path: Path | str) -> dict:
    """Replace the database and the uploaded files with the archive's, after verifying it; returns the
    manifest. Stop `fuhua serve` and `fuhua worker` first: a restore is not a live operation."""
    with tempfile.TemporaryDirectory(prefix="fuhua-restore-") as work:
        work = Path(work)
        manifest = verify_archive(archive_path, work)
        if manifest["vendor"] != connection.vendor:
            raise BackupError(f"the archive is a {manifest['vendor']} backup; this installation uses "
                              f"{connection.vendor} (restore it into a {manifest['vendor']} installation)")
        _restore_database(manifest, work / manifest["database"])
        with connection.cursor() as cursor:
            existing = set(connection.introspection.table_names(cursor))
            if missing := sorted(set(manifest["tables"]) - existing):
                raise BackupError(f"after the restore, table {missing[0]} listed in the manifest does not exist")
            found = _count_rows(cursor, manifest["tables"])
        if found != manifest["tables"]:
            raise BackupError(f"after the restore, row counts differ from the manifest: {_diff(found, manifest)}")
        _restore_files(work)
        for member, expected in manifest["files"].items():
            if member.startswith("files/"):
                _, name, rest = member.split("/", 2)
                if _sha256(file_roots()[name] / rest) != expected:
                    raise BackupError(f"after the restore, {member} differs from the manifest")
    return manifest
