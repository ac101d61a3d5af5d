"""The API answers a claim at once: 201 with the voucher, 200 for a retried key, 409 with the refusal's code;
orders, delivery, redemption and settlement over HTTP."""

import json

from fuhua.testing import api_client
from fuhua.vouchers.models import Voucher
from fuhua.vouchers.testing import evidence_file, open_batch


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_claim_codes_over_http(vworld, v):
    batch = open_batch(v.prog_a, 41, vouchers=1)
    firm = api_client(vworld.users.firm_a)
    first = _post(firm, "/api/v1/vouchers", {"batch": batch.pk, "idempotency_key": "http-1"})
    assert first.status_code == 201, first.content
    assert first.json()["voucher"]["face_value_fen"] == batch.face_value_fen
    again = _post(firm, "/api/v1/vouchers", {"batch": batch.pk, "idempotency_key": "http-1"})
    assert (again.status_code, again.json()["replay"], again.json()["voucher"]["id"]) == (
        200, True, first.json()["voucher"]["id"])
    sold = _post(firm, "/api/v1/vouchers", {"batch": batch.pk, "idempotency_key": "http-2"})
    assert (sold.status_code, sold.json()["code"]) == (409, "sold_out")
    later = open_batch(v.prog_a, 42, opens_in=__import__("datetime").timedelta(days=2))
    early = _post(firm, "/api/v1/vouchers", {"batch": later.pk, "idempotency_key": "http-3"})
    assert (early.status_code, early.json()["code"]) == (409, "not_open")
    other_city = _post(api_client(vworld.users.firm_b), "/api/v1/vouchers",
                       {"batch": batch.pk, "idempotency_key": "http-4"})
    assert other_city.status_code == 404
    bad = _post(firm, "/api/v1/vouchers", {"batch": batch.pk, "idempotency_key": "", "extra": 1})
    assert bad.status_code == 422
    assert Voucher.objects.filter(batch=batch).count() == 1


def test_order_to_settlement_over_http(vworld, v):
    batch = open_batch(v.prog_a, 43)
    firm, provider, bureau = (api_client(u) for u in (vworld.users.firm_a, vworld.users.provider,
                                                     vworld.users.bureau_sz))
    voucher = _post(firm, "/api/v1/vouchers", {"batch": batch.pk, "idempotency_key": "flow"}).json()["voucher"]
    order = _post(firm, "/api/v1/voucher-orders", {"voucher": voucher["id"], "product": v.marketplace.product_a.pk})
    assert order.status_code == 201, order.content
    oid = order.json()["id"]
    assert _post(provider, f"/api/v1/voucher-orders/{oid}/transitions/confirm", {}).status_code == 200
    no_evidence = _post(provider, f"/api/v1/voucher-orders/{oid}/transitions/deliver", {"reason": "done"})
    assert no_evidence.status_code == 422 and no_evidence.json()["errors"][0]["field"] == "evidence"
    upload = provider.post(f"/api/v1/voucher-orders/{oid}/evidence", {"title": "报告", "file": evidence_file()})
    assert upload.status_code == 201, upload.content
    assert _post(provider, f"/api/v1/voucher-orders/{oid}/transitions/deliver", {}).status_code == 200
    assert _post(firm, f"/api/v1/voucher-orders/{oid}/transitions/accept", {}).status_code == 200
    assert _post(firm, f"/api/v1/voucher-orders/{oid}/rating", {"score": 4, "reason": "及时"}).status_code == 201
    redemption = _post(provider, f"/api/v1/voucher-orders/{oid}/redemptions", {})
    assert redemption.status_code == 201, redemption.content
    rid = redemption.json()["id"]
    assert _post(provider, f"/api/v1/voucher-batches/{batch.pk}/review",
                 {"redemptions": [rid], "approve": True}).status_code == 403
    assert _post(bureau, f"/api/v1/voucher-batches/{batch.pk}/review",
                 {"redemptions": [rid], "approve": True}).status_code == 200
    paid = _post(bureau, f"/api/v1/voucher-batches/{batch.pk}/settlement", {"redemptions": [rid], "reference": "R1"})
    assert paid.status_code == 201 and paid.json()[0]["amount_fen"] == order.json()["covered_fen"]
    budget = bureau.get(f"/api/v1/voucher-batches/{batch.pk}/budget").json()
    assert budget["reconciles"] and budget["paid"] == order.json()["covered_fen"]
    xlsx = bureau.get(f"/api/v1/voucher-programmes/{v.prog_a.pk}/budget.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
