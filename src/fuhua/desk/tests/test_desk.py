"""The service desk: routing, deadlines, the workflow and its guards, messages and files, links, rating,
notices, overdue escalation, the report, pages. One world per module (rolled back at the end)."""

import datetime
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from fuhua.core import services as core_services
from fuhua.core.exceptions import Conflict
from fuhua.core.inbox import inbox
from fuhua.core.models import ObjectChange
from fuhua.core.system import SYSTEM
from fuhua.desk import services, topics
from fuhua.desk.models import Notice, ServiceRequest, Status, Steward
from fuhua.desk.testing import desk_objects
from fuhua.desk.workflow import REQUEST_WORKFLOW
from fuhua.testing import api_client, web_client


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    from fuhua.testing import world as build

    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build()
            desk_objects(w)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def w(module_world, db):
    return module_world


def fresh(obj):
    return type(obj)._default_manager.get(pk=obj.pk)


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


# --- topics and deadlines -----------------------------------------------------------------------------


def test_working_days_skip_the_weekend_and_calendar_days_do_not():
    friday = datetime.date(2026, 11, 27)
    assert topics.add_days(friday, 1, "working") == datetime.date(2026, 11, 30)
    assert topics.add_days(friday, 3, "working") == datetime.date(2026, 12, 2)
    assert topics.add_days(friday, 3, "calendar") == datetime.date(2026, 11, 30)
    # 《贵州贵安新区双创经验总结》: 企业注册办证时间压缩在 3 个工作日内
    assert topics.get("registration").resolution_days == 3


@pytest.mark.parametrize(("change", "message"), [
    ({"days": "lunar"}, "days must be one of"),
    ({"first_response_days": 5, "resolution_days": 2}, "first_response_days <= resolution_days"),
    ({"source": None, "code": "x"}, None),
])
def test_a_topics_file_with_bad_rows_is_refused(change, message):
    row = {"code": "x", "name": "其他", "name_en": "Other", "days": "working", "first_response_days": 1,
           "resolution_days": 3, "source": "test"}
    row.update(change)
    if message is None:  # a missing key
        del row["source"]
        message = "missing"
    with pytest.raises(topics.TopicError, match=message):
        topics.parse({"reopen_days": 15, "close_unrated_after_days": 15, "topics": [row]})
    with pytest.raises(topics.TopicError, match="listed twice"):
        good = {**row, "source": "s", "days": "working", "first_response_days": 1, "resolution_days": 3}
        topics.parse({"reopen_days": 15, "close_unrated_after_days": 15, "topics": [good, good]})


# --- routing ------------------------------------------------------------------------------------------


def test_requests_are_routed_to_the_steward_of_their_region(w):
    d = desk_objects(w)
    assert fresh(d.request_a).steward == d.steward_sz  # 苏州工业园区 is under 苏州市
    assert fresh(d.request_b).steward == d.steward_nj
    assert fresh(d.request_a).status == Status.ASSIGNED
    assert fresh(d.request_a).region_id == w.firm_a.region_id
    topic = topics.get("policy")
    opened = timezone.localdate(d.request_a.opened_at)
    assert d.request_a.first_response_due == topic.first_response_due(opened)
    assert d.request_a.resolution_due == topic.resolution_due(opened)


def test_a_steward_outside_the_requests_region_is_refused(w):
    d = desk_objects(w)
    request = fresh(d.request_a)
    before = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.assign(w.users.bureau_js, request, d.steward_nj)
    assert "steward" in refused.value.message_dict
    assert fresh(d.request_a).steward == d.steward_sz and ObjectChange.objects.count() == before
    response = post(api_client(w.users.bureau_js), f"/api/v1/service-requests/{request.pk}/transitions/assign",
                    {"steward": d.steward_nj.pk})
    assert response.status_code == 422, response.content
    assert fresh(d.request_a).steward == d.steward_sz


def test_routing_never_leaves_the_region_even_when_its_stewards_are_full(w):
    d = desk_objects(w)
    Steward.objects.filter(pk=d.steward_sz.pk).update(capacity=1)
    request = services.open_request(w.users.firm_a, {"title": "再问一个问题", "topic": "talent", "body": "人才公寓"})
    assert request.status == Status.NEW and request.steward is None  # not the Nanjing steward with room
    assert [s.pk for s in services.candidates(request)] == [d.steward_sz.pk]


def test_a_steward_must_be_bureau_staff_of_the_region(w):
    with pytest.raises(ValidationError) as refused:
        core_services.create_object(SYSTEM, Steward, {"user": w.users.bureau_nj, "region": w.regions.sz})
    assert "user" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        core_services.create_object(SYSTEM, Steward, {"user": w.users.firm_a, "region": w.regions.sz})
    assert "user" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        core_services.create_object(SYSTEM, Steward, {"user": w.users.bureau_js, "region": w.regions.sz,
                                                      "topics": ["astrology"]})
    assert "topics" in refused.value.message_dict


def test_a_bureau_cannot_designate_a_steward_in_another_region(w):
    response = post(api_client(w.users.bureau_nj), "/api/v1/stewards",
                    {"user": w.users.bureau_nj.pk, "region": w.regions.sz.pk})
    assert response.status_code == 422, response.content
    assert not Steward.objects.filter(region=w.regions.sz, user=w.users.bureau_nj).exists()


def test_a_bureau_designates_only_staff_of_its_own_region(w):
    # The province's staff covers Suzhou, but is not Suzhou's bureau's to designate (the page offers only
    # Suzhou's staff; the API is refused the same way, by Steward.clean).
    response = post(api_client(w.users.bureau_sz), "/api/v1/stewards",
                    {"user": w.users.bureau_js.pk, "region": w.regions.sz.pk})
    assert response.status_code == 422, response.content
    assert "user" in response.content.decode()
    assert not Steward.objects.filter(region=w.regions.sz, user=w.users.bureau_js).exists()


# --- the whole conversation ---------------------------------------------------------------------------


def test_open_answer_ask_reply_resolve_rate(w):
    firm, steward = api_client(w.users.firm_a), api_client(w.users.bureau_sz)
    mail.outbox.clear()
    response = post(firm, "/api/v1/service-requests", {"title": "专精特新申报辅导", "topic": "application",
                                                       "body": "希望有专人指导申报书填写。"})
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert (body["status"], body["firm"]["id"], body["steward_name"]) == ("assigned", w.firm_a.pk, "bureau_sz")
    assert Notice.objects.filter(recipient=w.users.bureau_sz, request_id=pk).count() == 1
    assert [m.to for m in mail.outbox] == [["bureau_sz@example.cn"]]  # the steward, by mail as well

    response = steward.post(f"/api/v1/service-requests/{pk}/messages", {"body": "您好，我是您的服务管家。"})
    assert response.status_code == 201, response.content
    request = ServiceRequest.objects.get(pk=pk)
    assert request.status == Status.IN_PROGRESS and request.first_response_at is not None
    assert Notice.objects.filter(recipient=w.users.firm_a, request=request).count() == 1

    response = post(steward, f"/api/v1/service-requests/{pk}/transitions/ask", {"reason": "请补充营业执照"})
    assert response.status_code == 200, response.content
    assert fresh(request).status == Status.WAITING
    today = timezone.localdate()
    assert {e.key: e.count for e in inbox(w.users.firm_a, {"firm"}, today)}.get("desk.waiting") == 1
    response = firm.post(f"/api/v1/service-requests/{pk}/messages", {"body": "已补充",
                         "files": SimpleUploadedFile("执照.pdf", b"%PDF-1.4 test", content_type="application/pdf")})
    assert response.status_code == 201, response.content
    assert response.json()["attachments"][0]["name"] == "执照.pdf"
    assert fresh(request).status == Status.IN_PROGRESS

    # a rating before resolution is refused, and so is a resolution by someone who is not the steward
    assert post(firm, f"/api/v1/service-requests/{pk}/transitions/rate", {"rating": 5}).status_code == 409
    assert post(api_client(w.users.bureau_js), f"/api/v1/service-requests/{pk}/transitions/resolve",
                {"reason": "已办结"}).status_code == 403
    assert post(steward, f"/api/v1/service-requests/{pk}/transitions/resolve", {"reason": ""}).status_code == 422
    assert post(steward, f"/api/v1/service-requests/{pk}/transitions/resolve",
                {"reason": "已协助完成申报"}).status_code == 200
    assert fresh(request).status == Status.RESOLVED and fresh(request).resolution == "已协助完成申报"

    assert post(firm, f"/api/v1/service-requests/{pk}/transitions/rate", {"rating": 6}).status_code == 422
    assert post(firm, f"/api/v1/service-requests/{pk}/transitions/rate", {"rating": 0}).status_code == 422
    assert post(steward, f"/api/v1/service-requests/{pk}/transitions/rate", {"rating": 5}).status_code == 403
    response = post(firm, f"/api/v1/service-requests/{pk}/transitions/rate", {"rating": 4, "comment": "很及时"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["rating"], response.json()["rating_comment"]) == (
        "closed", 4, "很及时")
    assert post(firm, f"/api/v1/service-requests/{pk}/transitions/rate", {"rating": 5}).status_code == 409
    assert fresh(request).rating == 4
    statuses = [c.after.get("status") for c in ObjectChange.objects.filter(
        object_id=str(pk), content_type__model="servicerequest").order_by("time", "id") if c.after]
    assert statuses[-1] == "closed" and "waiting" in statuses and "resolved" in statuses


def test_a_rating_on_an_unresolved_request_is_refused(w):
    request = fresh(desk_objects(w).request_a)
    for status in (Status.ASSIGNED,):
        assert request.status == status
        with pytest.raises(Conflict):
            services.rate(w.users.firm_a, request, 5)
    assert fresh(request).rating is None


def test_reopen_within_the_window_only(w):
    d = desk_objects(w)
    request = fresh(d.request_b)
    services.take_step(w.users.bureau_nj, request, "resolve", reason="已答复")
    later = request.resolved_at + datetime.timedelta(days=topics.settings().reopen_days + 1)
    decision = REQUEST_WORKFLOW.can(w.users.firm_b, request, "reopen", reason="没解决", at=later)
    assert (decision.allowed, decision.code) == (False, "conflict")
    assert not REQUEST_WORKFLOW.can(w.users.firm_a, request, "reopen", reason="没解决")  # not the requester
    with pytest.raises(PermissionDenied):  # the platform alone closes unrated requests
        services.take_step(w.users.firm_b, fresh(request), "close_unrated")
    services.take_step(w.users.firm_b, request, "reopen", reason="问题仍未解决")
    assert (fresh(request).status, fresh(request).reopened) == (Status.IN_PROGRESS, 1)


def test_only_the_requester_and_the_steward_write(w):
    d = desk_objects(w)
    with pytest.raises(PermissionDenied):
        services.post_message(w.users.bureau_js, fresh(d.request_a), "省厅插话")
    with pytest.raises(ValidationError):
        services.post_message(w.users.firm_a, fresh(d.request_a), "   ")


# --- files and links ----------------------------------------------------------------------------------


def test_files_of_the_wrong_kind_or_too_large_are_refused(w):
    d = desk_objects(w)
    client = api_client(w.users.firm_a)
    url = f"/api/v1/service-requests/{d.request_a.pk}/messages"
    response = client.post(url, {"body": "附件", "files": SimpleUploadedFile("run.exe", b"MZ")})
    assert response.status_code == 422 and "files" in response.content.decode()
    big = SimpleUploadedFile("big.pdf", b"0" * (10 * 2**20 + 1), content_type="application/pdf")
    response = client.post(url, {"body": "附件", "files": big})
    assert response.status_code == 422, response.content
    assert not d.request_a.messages.filter(body="附件").exists()


def test_links_must_name_a_record_the_requester_sees(w):
    from fuhua.policies.testing import scope_objects

    d = desk_objects(w)
    applications = scope_objects(w).applications
    mine = next(a for a in applications if a.carrier.operator_id == w.op_a.pk)
    theirs = next(a for a in applications if a.carrier.operator_id == w.op_b.pk)
    client = api_client(w.users.operator_a)
    url = f"/api/v1/service-requests/{d.request_op.pk}/link"
    assert post(client, url, {"link": "policies.application", "link_id": theirs.pk}).status_code == 422
    assert post(client, url, {"link": "registry.firm", "link_id": w.firm_a.pk}).status_code == 422
    assert post(client, url, {"link": "policies.application", "link_id": 2**40}).status_code == 422
    response = post(client, url, {"link": "policies.application", "link_id": mine.pk})
    assert response.status_code == 200, response.content
    assert (response.json()["link"], response.json()["link_id"]) == ("policies.application", mine.pk)
    assert post(api_client(w.users.bureau_sz), url, {"link": "policies.application",
                                                     "link_id": mine.pk}).status_code == 403


def test_a_firm_cannot_open_a_request_for_another_firm(w):
    response = post(api_client(w.users.firm_a), "/api/v1/service-requests",
                    {"title": "代问", "topic": "policy", "body": "替别人问", "firm": w.firm_b.pk})
    assert response.status_code == 422 and "firm" in response.content.decode()
    response = post(api_client(w.users.firm_a), "/api/v1/service-requests",
                    {"title": "代问", "topic": "horoscope", "body": "未知主题"})
    assert response.status_code == 422 and "topic" in response.content.decode()
    assert post(api_client(w.users.bureau_sz), "/api/v1/service-requests",
                {"title": "局里问", "topic": "policy", "body": "x" * 5}).status_code == 403


# --- overdue, inbox, report, pages --------------------------------------------------------------------


def test_overdue_requests_are_flagged_once_to_steward_and_bureau(w):
    d = desk_objects(w)
    past = timezone.localdate() - datetime.timedelta(days=30)
    ServiceRequest.objects.filter(pk=d.request_a.pk).update(first_response_due=past, resolution_due=past)
    mail.outbox.clear()
    before = set(Notice.objects.values_list("pk", flat=True))
    result = services.escalate_overdue()
    assert result.flagged == 1
    notified = Notice.objects.exclude(pk__in=before).values_list("request_id", "recipient__username")
    assert sorted(notified) == [(d.request_a.pk, "bureau_js"), (d.request_a.pk, "bureau_sz")]
    assert sorted(m.to[0] for m in mail.outbox) == ["bureau_js@example.cn", "bureau_sz@example.cn"]
    assert {e.key: e.count for e in inbox(w.users.bureau_sz, {"bureau"}, timezone.localdate())}[
        "desk.steward_overdue"] == 1
    assert services.escalate_overdue().flagged == 0  # once
    overdue = api_client(w.users.bureau_sz).get("/api/v1/service-requests", {"overdue": True}).json()
    assert [r["id"] for r in overdue["items"]] == [d.request_a.pk] and overdue["items"][0]["overdue"] is True
    assert api_client(w.users.bureau_nj).get("/api/v1/service-requests", {"overdue": True}).json()["count"] == 0
    report = services.report(w.users.bureau_sz)
    assert (report.total, report.overdue) == (2, 1)
    assert {r.label.split(" · ")[0] for r in report.by_steward} == {"bureau_sz"}
    page = web_client(w.users.bureau_sz).get("/desk/report/")
    assert page.status_code == 200 and "<svg" in page.content.decode()


def test_pages_list_export_and_detail(w):
    d = desk_objects(w)
    client = web_client(w.users.bureau_sz)
    page = client.get("/desk/requests/", {"mine": "on"})
    assert page.status_code == 200
    text = page.content.decode()
    assert d.request_a.title in text and d.request_b.title not in text
    export = client.get("/desk/requests/", {"export": "csv"})
    assert export.status_code == 200 and d.request_a.title in export.content.decode("utf-8-sig")
    detail = web_client(w.users.firm_a).get(f"/desk/requests/{d.request_a.pk}/")
    assert detail.status_code == 200 and "withdraw" in detail.content.decode()
    assert web_client(w.users.firm_b).get(f"/desk/requests/{d.request_a.pk}/").status_code == 404
    form = web_client(w.users.firm_a).post("/desk/requests/new/", {
        "requester": f"firm:{w.firm_a.pk}", "topic": "site", "title": "场地", "body": "需要实验室",
        "files": SimpleUploadedFile("x.exe", b"MZ")})
    assert form.status_code == 400 and not ServiceRequest.objects.filter(title="场地").exists()


def test_the_resolution_clock_stops_while_waiting_for_the_requester(w):
    d = desk_objects(w)
    request = fresh(d.request_b)
    due = request.resolution_due
    asked = timezone.now()
    services.take_step(w.users.bureau_nj, request, "ask", reason="请补充租赁合同", at=asked)
    after_due = due + datetime.timedelta(days=5)
    assert not fresh(request).overdue(after_due)  # waiting: the requester's move
    assert not ServiceRequest.objects.filter(services.overdue_q(after_due), pk=request.pk).exists()
    services.post_message(w.users.firm_b, fresh(request), "合同已上传", at=asked + datetime.timedelta(days=4))
    request = fresh(request)
    assert (request.status, request.resolution_due, request.waiting_since) == (
        Status.IN_PROGRESS, due + datetime.timedelta(days=4), None)
    assert ServiceRequest.objects.filter(services.overdue_q(after_due), pk=request.pk).exists()


def test_a_bureau_designates_a_steward_on_its_pages(w):
    from fuhua.testing import make_user

    colleague = make_user("sz_colleague", "bureau", region=w.regions.sz)
    client = web_client(w.users.bureau_sz)
    form = client.get("/desk/stewards/new/")
    assert form.status_code == 200 and "sz_colleague" in form.content.decode()
    assert "bureau_nj" not in form.content.decode()  # only staff of one's own region are offered
    response = client.post("/desk/stewards/new/", {"user": colleague.pk, "region": w.regions.sz.pk,
                                                   "topics": ["financing", "talent"], "capacity": 15,
                                                   "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    steward = Steward.objects.get(user=colleague)
    assert (steward.topics, steward.capacity, steward.region_id) == (["financing", "talent"], 15, w.regions.sz.pk)
    refused = client.post("/desk/stewards/new/", {"user": w.users.bureau_nj.pk, "region": w.regions.sz.pk,
                                                  "capacity": 10})
    assert refused.status_code == 400 and not Steward.objects.filter(user=w.users.bureau_nj,
                                                                     region=w.regions.sz).exists()


def test_the_daily_task_is_registered_and_the_commands_are_scoped(w):
    from click.testing import CliRunner

    from fuhua.core.schedule import periodic_tasks
    from fuhua.desk.cli import desk

    assert any(t.name == "desk.overdue" and t.at == datetime.time(8, 0) for t in periodic_tasks())
    d = desk_objects(w)
    out = CliRunner().invoke(desk, ["requests", "--user", "bureau_nj", "--json"])
    assert out.exit_code == 0, out.output
    assert [r["id"] for r in json.loads(out.output)] == [d.request_b.pk]
    out = CliRunner().invoke(desk, ["stewards", "--user", "bureau_sz"])
    assert out.exit_code == 0 and "苏州市" in out.output and "南京市" not in out.output
