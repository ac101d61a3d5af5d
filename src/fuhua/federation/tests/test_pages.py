"""The network page: administrators see the peers, their lag and errors, and register peers (audited)."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fuhua.core.models import ObjectChange
from fuhua.federation.keys import public_key_text
from fuhua.federation.models import Peer
from fuhua.federation.testing import Child, identity
from fuhua.testing import web_client

pytestmark = pytest.mark.django_db


def test_admins_see_the_network_others_are_refused(world):
    identity()
    child = Child()
    Peer.objects.filter(pk=child.peer.pk).update(last_error="苏州市 cannot be reached: timed out")
    page = web_client(world.users.admin).get("/network/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-peer="320500"' in html and "cannot be reached: timed out" in html
    for user in (world.users.bureau_js, world.users.operator_a):
        assert web_client(user).get("/network/").status_code == 403


def test_registering_a_peer_is_an_audited_admin_act(world):
    identity()
    key = public_key_text(Ed25519PrivateKey.generate())
    data = {"relation": "child", "code": "320100", "name": "南京市", "region": "320100", "url": "https://nj.example.cn",
            "public_key": key, "tables": ["carriers", "organisations"]}
    assert web_client(world.users.bureau_js).post("/network/peers/add/", data).status_code == 403
    response = web_client(world.users.admin).post("/network/peers/add/", data)
    assert response.status_code == 302
    peer = Peer.objects.get(code="320100")
    assert (peer.relation, peer.tables, peer.region_id) == ("child", ["carriers", "organisations"], "320100")
    entry = ObjectChange.objects.get(content_type__model="peer", object_id=str(peer.pk))
    assert (entry.action, entry.username) == ("create", "admin")

    bad = web_client(world.users.admin).post("/network/peers/add/", {**data, "code": "320200", "public_key": "abc"})
    assert bad.status_code == 302 and not Peer.objects.filter(code="320200").exists()

    web_client(world.users.admin).post("/network/peers/320100/tables/", {"tables": ["carriers"]})
    peer.refresh_from_db()
    assert peer.tables == ["carriers"]
