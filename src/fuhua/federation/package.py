"""The exchange package: a Frictionless Data Package with a signed manifest, as a .tar.gz archive.

    datapackage.json        the descriptor: resources with their table schemas, and a `fuhua` section
                            (format version, source, target, positions in the source's change feed)
    data/<table>.jsonl      one JSON object per line: _op, _origin, _id, _changed and the table's columns
    manifest.json           SHA-256 and size of every other file, the package id and the sender's code
    manifest.sig            the sender's Ed25519 signature over the exact bytes of manifest.json

Written and read as a stream (one resource line at a time), so memory does not grow with the package.
docs/federation.md is the specification for other systems that produce or read packages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import orjson
from django.utils import timezone

from . import keys
from .reasons import Reason

FORMAT = "fuhua-network"
FORMAT_VERSION = 1  # the newest version this code reads and the one it writes
MANIFEST, SIGNATURE, DESCRIPTOR = "manifest.json", "manifest.sig", "datapackage.json"
MAX_MEMBER_BYTES = 4 * 1024**3


class PackageRefused(Reason):
    """The package cannot be accepted; the message (reasons.REASONS[code]) says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_LINE = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE | orjson.OPT_UTC_Z


def _line(value: dict) -> bytes:
    """One JSON Lines record: UTF-8, keys sorted, dates ISO 8601, datetimes UTC with Z."""
    return orjson.dumps(value, option=_LINE, default=str)


class PackageWriter:
    """Collects resources line by line in a temporary directory; `finish` signs and archives them."""

    def __init__(self, *, source: dict, target: str, kind: str, from_position: int, to_position: int,
                 origins: dict[str, str] | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="fuhua-package-"))
        (self.dir / "data").mkdir()
        self.package_id = uuid.uuid4().hex
        self.meta = {"format": FORMAT, "version": FORMAT_VERSION, "source": source, "target": target,
                     "kind": kind, "from_position": from_position, "to_position": to_position}
        self.origins = dict(origins or {})
        self.resources: list[dict] = []
        self._files: dict[str, object] = {}
        self.counts: dict[str, int] = {}

    def add_resource(self, table) -> None:
        path = f"data/{table.key}.jsonl"
        self._files[table.key] = (self.dir / path).open("wb", buffering=1 << 20)
        self.counts[table.key] = 0
        self.resources.append({"name": table.key, "path": path, "format": "jsonl", "mediatype": "application/jsonl",
                               "encoding": "utf-8", "title": str(table.label), "schema": table.schema()})

    def write(self, table_key: str, record: dict) -> None:
        self._files[table_key].write(_line(record))
        self.counts[table_key] += 1

    def finish(self, out: Path, key=None) -> Path:
        for f in self._files.values():
            f.close()
        for resource in self.resources:
            resource["fuhua:records"] = self.counts[resource["name"]]
        descriptor = {
            "profile": "data-package",
            "name": f"fuhua-{self.meta['source']['code'].lower()}-{self.meta['from_position']}-"
                    f"{self.meta['to_position']}",
            "id": self.package_id,
            "title": f"Fuhua network package from {self.meta['source']['name']}",
            "created": timezone.now().isoformat(),
            "licenses": [{"name": "other-open", "title": "Government open data of the issuing bureau"}],
            "fuhua": {**self.meta, "origins": self.origins},
            "resources": self.resources,
        }
        (self.dir / DESCRIPTOR).write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8")
        files = [DESCRIPTOR, *(r["path"] for r in self.resources)]
        manifest = {"format": f"{FORMAT}-manifest", "version": FORMAT_VERSION, "package_id": self.package_id,
                    "sender": self.meta["source"]["code"], "algorithm": "sha256",
                    "files": [{"path": p, "sha256": _sha256(self.dir / p), "bytes": (self.dir / p).stat().st_size}
                              for p in files]}
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        (self.dir / MANIFEST).write_bytes(manifest_bytes)
        signature = {"algorithm": "Ed25519", "signer": self.meta["source"]["code"],
                     "signature": keys.sign(manifest_bytes, key)}
        (self.dir / SIGNATURE).write_text(json.dumps(signature), encoding="utf-8")
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".part")
        with tarfile.open(partial, "w:gz", compresslevel=5) as archive:
            for name in (MANIFEST, SIGNATURE, *files):
                archive.add(self.dir / name, arcname=name)
        partial.replace(out)
        shutil.rmtree(self.dir, ignore_errors=True)
        return out

    def discard(self) -> None:
        for f in self._files.values():
            f.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class ReceivedPackage:
    """An archive unpacked into a temporary directory; nothing in it is trusted until `verify` passed."""

    def __init__(self, archive: Path):
        self.dir = Path(tempfile.mkdtemp(prefix="fuhua-received-"))
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar:
                    if not member.isfile() or member.size > MAX_MEMBER_BYTES:
                        raise PackageRefused("unexpected_entry", name=repr(member.name))
                tar.extractall(self.dir, filter="data")
        except PackageRefused:
            self.close()
            raise
        except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
            self.close()
            raise PackageRefused("damaged", error=exc) from exc
        try:
            self.manifest_bytes = (self.dir / MANIFEST).read_bytes()
            self.manifest = json.loads(self.manifest_bytes)
            self.signature = json.loads((self.dir / SIGNATURE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            self.close()
            raise PackageRefused("no_manifest") from exc
        if not isinstance(self.manifest, dict) or not isinstance(self.signature, dict):
            self.close()
            raise PackageRefused("manifest_not_object")
        self.descriptor: dict = {}

    @property
    def sender(self) -> str:
        return str(self.manifest.get("sender", ""))

    @property
    def package_id(self) -> str:
        return str(self.manifest.get("package_id", ""))[:64]

    def verify(self, public_key: str) -> None:
        """Signature over the manifest, then every file's checksum; refuses on the first fault."""
        signature = str(self.signature.get("signature", ""))
        if self.signature.get("algorithm") != "Ed25519" or not keys.verify(public_key, self.manifest_bytes, signature):
            raise PackageRefused("bad_signature", sender=self.sender)
        listed = {}
        for entry in self.manifest.get("files", []):
            path = str(entry.get("path", ""))
            file = (self.dir / path).resolve()
            if not file.is_relative_to(self.dir.resolve()) or not file.is_file():
                raise PackageRefused("file_missing", path=path)
            if _sha256(file) != entry.get("sha256") or file.stat().st_size != entry.get("bytes"):
                raise PackageRefused("file_changed", path=path)
            listed[path] = entry
        present = {str(p.relative_to(self.dir)) for p in self.dir.rglob("*") if p.is_file()}
        extra = present - set(listed) - {MANIFEST, SIGNATURE}
        if extra:
            raise PackageRefused("file_unlisted", path=sorted(extra)[0])
        if DESCRIPTOR not in listed:
            raise PackageRefused("no_descriptor")
        self.descriptor = json.loads((self.dir / DESCRIPTOR).read_text(encoding="utf-8"))

    @property
    def meta(self) -> dict:
        return self.descriptor.get("fuhua", {})

    def resources(self) -> list[dict]:
        return list(self.descriptor.get("resources", []))

    def records(self, resource: dict) -> Iterator[dict]:
        with (self.dir / resource["path"]).open("rb", buffering=1 << 20) as f:
            for number, line in enumerate(f, 1):
                try:
                    record = orjson.loads(line)
                except ValueError as exc:
                    raise PackageRefused("line_not_json", path=resource["path"], line=number) from exc
                if not isinstance(record, dict):
                    raise PackageRefused("line_not_object", path=resource["path"], line=number)
                yield record

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def fingerprint(public_key: str) -> str:
    """A short, readable fingerprint of a public key, to compare over the phone."""
    raw = base64.b64decode(public_key)
    return hashlib.sha256(raw).hexdigest()[:16]
