"""This instance's Ed25519 signing key, and signing and verifying with it (`cryptography`).

The private key never enters the database or a package: it is a PEM file beside the instance's other
secrets, `FUHUA_HOME/federation/instance_ed25519.pem`, created with mode 0600 in a directory of mode 0700
(readable only by the account the server runs as, like `FUHUA_HOME/secret_key`). Back it up with the
database; losing it means registering a new public key at the parent. The public key (32 bytes, base64)
is stored in `federation.Instance` and given to the peers.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


def key_path() -> Path:
    return Path(settings.FUHUA_HOME) / "federation" / "instance_ed25519.pem"


def generate_key(path: Path | None = None) -> Ed25519PrivateKey:
    """A new key pair, written to `path` (default key_path()) readable only by this account."""
    path = path or key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    path.chmod(0o600)
    return key


def load_key(path: Path | None = None) -> Ed25519PrivateKey:
    path = path or key_path()
    if not path.exists():
        raise FileNotFoundError(f"No signing key at {path}: run `fuhua network init` first.")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 key.")
    return key


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def parse_public_key(text: str) -> Ed25519PublicKey:
    """The public key from its base64 text; ValueError when it is not 32 base64 bytes."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64") from exc
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def sign(data: bytes, key: Ed25519PrivateKey | None = None) -> str:
    return base64.b64encode((key or load_key()).sign(data)).decode()


def verify(public_key: str, data: bytes, signature: str) -> bool:
    try:
        parse_public_key(public_key).verify(base64.b64decode(signature.strip(), validate=True), data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
