"""`fuhua network …`: this instance's identity, its peers, and exchanging packages with them (one network).

    fuhua network init --code 320500 --name 苏州市 --region 320500      identity and signing key (once)
    fuhua network status                                               identity, public key, peers, lag, errors
    fuhua network peers                                                the peers and what is shared with each
    fuhua network add-peer --user admin --relation child …             register a parent or a child
    fuhua network export --peer 320000 -o out.tar.gz [--since N|--full] a package for the parent, as a file
    fuhua network import FILE                                          a package from a child, from a file
    fuhua network sync [--peer CODE]                                   pull every child's changes over HTTP(S)
    fuhua network demo                                                 three instances: city, province, nation

Reading, exporting, importing and syncing are server maintenance run by the system actor (whoever has a shell
on the server holds the database and the key); registering a peer is an administrator's act (`--user`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fuhua.core.cli_helpers import active_user, setup_django, user_option


@click.group()
def network() -> None:
    """One network: federated instances (city, province, nation) exchanging signed packages."""


@network.command()
@click.option("--code", required=True, help="This instance's code: its region code (e.g. 320500), CN for the nation.")
@click.option("--name", required=True, help="Its name, e.g. 苏州市科技局.")
@click.option("--region", "region_code", default=None, help="Its region code; omit for the nation.")
@click.option("--url", default="", help="The address its parent pulls from (https://…).")
def init(code: str, name: str, region_code: str | None, url: str) -> None:
    """Create this instance's identity and its Ed25519 key (FUHUA_HOME/federation, readable by the server only)."""
    setup_django()
    from fuhua.core.context import acting_as

    from .exchange import NotConfigured, ensure_identity
    from .keys import key_path
    from .package import fingerprint

    try:
        with acting_as(None, source="cli"):
            instance = ensure_identity(code=code, name=name, region_code=region_code, url=url)
    except NotConfigured as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"This instance is {instance}; key {key_path()}")
    click.echo(f"public key: {instance.public_key}  (fingerprint {fingerprint(instance.public_key)})")


@network.command()
def status() -> None:
    """This instance's identity, its change-feed position and each peer's position, last sync, lag and error."""
    setup_django()
    from django.utils import timezone

    from .exchange import NotConfigured, head_position, this_instance
    from .models import Peer
    from .package import fingerprint

    try:
        instance = this_instance()
    except NotConfigured as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"instance    {instance}")
    click.echo(f"public key  {instance.public_key}  (fingerprint {fingerprint(instance.public_key)})")
    click.echo(f"position    {head_position()} (this instance's change feed)")
    now = timezone.now()
    for peer in Peer.objects.order_by("relation", "code"):
        lag = f"{int((now - peer.last_sync_at).total_seconds())} s ago" if peer.last_sync_at else "never"
        click.echo(f"{peer.get_relation_display():<7} {peer.code:<8} {peer.name}  position {peer.position}  "
                   f"last sync {lag}" + (f"  ERROR {peer.last_error}" if peer.last_error else ""))


@network.command()
def peers() -> None:
    """The peers, their addresses and the tables shared with each."""
    setup_django()
    from .models import Peer
    from .package import fingerprint

    for peer in Peer.objects.order_by("relation", "code"):
        click.echo(f"{peer.get_relation_display():<7} {peer.code:<8} {peer.name:<16} {peer.url or '-':<32} "
                   f"key {fingerprint(peer.public_key)}  tables {','.join(peer.tables) or '-'}")


@network.command("add-peer")
@user_option("The administrator registering the peer (audited under this name).")
@click.option("--relation", type=click.Choice(["parent", "child"]), required=True)
@click.option("--code", required=True, help="The peer's instance code.")
@click.option("--name", required=True)
@click.option("--region", "region_code", default=None, help="The peer's region code; omit for the nation.")
@click.option("--url", default="", help="The peer's address (a child's, for pulling).")
@click.option("--public-key", required=True, help="The peer's public key, as its `fuhua network status` prints it.")
@click.option("--tables", default=None,
              help="Comma-separated tables shared with this peer (default: carriers, recognitions, organisations, "
                   "firms; mentors only when named).")
def add_peer(username, relation, code, name, region_code, url, public_key, tables) -> None:
    """Register the parent this instance reports to, or a child that reports to it."""
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from fuhua.core.context import acting_as

    from .services import register_peer

    user = active_user(username)
    try:
        with acting_as(user, source="cli"):
            peer = register_peer(user, relation=relation, code=code, name=name, public_key=public_key,
                                 region_code=region_code, url=url,
                                 tables=[t.strip() for t in tables.split(",") if t.strip()] if tables else None)
    except (PermissionDenied, ValidationError) as exc:
        click.echo(f"Not registered: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Registered {peer.get_relation_display()} {peer}; shared tables: {', '.join(peer.tables)}")


@network.command()
@click.option("--peer", "peer_code", default=None, help="The parent (default: this instance's parent).")
@click.option("--since", type=int, default=None, help="Feed position to start after (default: the parent's last).")
@click.option("--full", is_flag=True, help="Everything shared, from position 0.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export(peer_code, since, full, output: Path) -> None:
    """Write the package of changes for the parent to a file (to carry where instances cannot reach each other)."""
    setup_django()
    from fuhua.core.context import acting_as

    from .exchange import NotConfigured, export_package
    from .models import Peer

    peers = Peer.objects.filter(relation=Peer.Relation.PARENT)
    peer = (peers.filter(code=peer_code) if peer_code else peers).first()
    if peer is None:
        click.echo("No such parent registered: `fuhua network add-peer --relation parent …` first.", err=True)
        sys.exit(1)
    try:
        with acting_as(None, source="cli"):
            path, meta = export_package(peer, output, since=0 if full else since)
    except (NotConfigured, FileNotFoundError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{path}: positions {meta['from_position']}→{meta['to_position']} for {peer}")


@network.command("import")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch-size", type=int, default=2000, show_default=True, help="Records committed per transaction.")
def import_(archive: Path, batch_size: int) -> None:
    """Import a package received from a child (refused whole, with the reason, if anything is wrong)."""
    setup_django()
    from .exchange import NotConfigured, import_package
    from .package import PackageRefused

    try:
        log = import_package(archive, batch_size=batch_size)
    except (PackageRefused, NotConfigured) as exc:
        click.echo(f"Refused: {exc}", err=True)
        sys.exit(1)
    _report(log)


def _report(log) -> None:
    click.echo(f"{log.sender} {log.from_position}→{log.to_position}: {log.get_outcome_display()}; "
               f"{log.created} created, {log.updated} updated, {log.deleted} deleted, {log.unchanged} unchanged")


@network.command()
@click.option("--peer", "peer_code", default=None, help="Only this child (default: every child with an address).")
@click.option("--batch-size", type=int, default=2000, show_default=True, help="Records committed per transaction.")
def sync(peer_code, batch_size: int) -> None:
    """Pull each child's changes since its last position over HTTP(S), signed with this instance's key."""
    setup_django()
    from .models import Peer
    from .package import PackageRefused
    from .transport import SyncFailed, pull

    children = Peer.objects.filter(relation=Peer.Relation.CHILD).exclude(url="").order_by("code")
    if peer_code:
        children = children.filter(code=peer_code)
    failed = 0
    for peer in children:
        try:
            _report(pull(peer, batch_size=batch_size))
        except (PackageRefused, SyncFailed) as exc:
            failed += 1
            click.echo(f"{peer.code}: {exc}", err=True)
    sys.exit(1 if failed else 0)


@network.command()
@click.option("--dir", "base", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the three instances keep their data (default: FUHUA_HOME/network-demo; replaced).")
@click.option("--ports", default="8101,8102,8103", show_default=True, help="The city's, province's and nation's.")
@click.option("--interval", type=float, default=30, show_default=True, help="Seconds between syncs.")
def demo(base: Path | None, ports: str, interval: float) -> None:
    """Start three instances forming a network (Suzhou → Jiangsu → the nation), each its own `fuhua serve` and
    SQLite database, and sync them every --interval seconds until Ctrl-C."""
    import os

    from .network_demo import demo as run_demo

    numbers = tuple(int(p) for p in ports.split(","))
    if len(numbers) != 3:
        raise click.BadParameter("three ports: city,province,nation", param_hint="--ports")
    run_demo((base or Path(os.environ.get("FUHUA_HOME", "var")) / "network-demo").resolve(), numbers, interval,
             echo=click.echo)


cli_groups = [network]  # mounted by the shell (fuhua/cli.py)
