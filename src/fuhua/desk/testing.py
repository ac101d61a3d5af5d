"""Factories of the desk's tests and its rows of the generated scope matrix (core/tests/test_scope_*.py)."""

from __future__ import annotations

from types import SimpleNamespace

from fuhua.core import services as core_services
from fuhua.core.system import SYSTEM

from . import services
from .models import Steward


def desk_objects(w) -> SimpleNamespace:
    """In both cities: a steward (the city bureau's user), a firm's request, and in Suzhou an operator's;
    created once per world. The requests are routed to their city's steward on opening."""
    cached = getattr(w, "_desk", None)
    if cached is not None:
        return cached
    steward_sz = core_services.create_object(SYSTEM, Steward, {"user": w.users.bureau_sz, "region": w.regions.sz})
    steward_nj = core_services.create_object(SYSTEM, Steward, {"user": w.users.bureau_nj, "region": w.regions.nj})
    request_a = services.open_request(w.users.firm_a, {"title": "高新技术企业认定材料咨询", "topic": "policy",
                                                       "body": "请问研发费用归集口径如何确定？"})
    request_b = services.open_request(w.users.firm_b, {"title": "办公场地续租", "topic": "site",
                                                       "body": "孵化期满后能否续租原场地？"})
    request_op = services.open_request(w.users.operator_a, {"title": "众创空间备案辅导", "topic": "application",
                                                            "body": "申请省级备案需要准备哪些材料？"})
    w._desk = SimpleNamespace(steward_sz=steward_sz, steward_nj=steward_nj, request_a=request_a,
                              request_b=request_b, request_op=request_op)
    return w._desk


SCOPE_RESOURCES = {
    "stewards": (lambda w: [desk_objects(w).steward_sz, desk_objects(w).steward_nj], {"capacity": 30}),
    "service-requests": (lambda w: [desk_objects(w).request_a, desk_objects(w).request_b,
                                    desk_objects(w).request_op], {}),
}
SCOPE_WEB_NAMES = {"desk:servicerequest": "service-requests", "desk:steward": "stewards"}
SCOPE_NOT_RESOURCES = {"desk-report": "the desk's aggregates by steward and topic, over the caller's requests"}


def audit_factories() -> dict[str, tuple]:
    """label → (create(world) of a new unreferenced instance, a change), for core/tests/test_audit.py."""
    import datetime

    from .models import Attachment, Message, Notice, ServiceRequest

    def new_request(w):
        return ServiceRequest.objects.create(title="审计测试诉求", topic="policy", body="审计", firm=w.firm_a,
                                             region=w.regions.sz, first_response_due=datetime.date(2026, 1, 5),
                                             resolution_due=datetime.date(2026, 1, 20))

    def new_message(w):
        return Message.objects.create(request=desk_objects(w).request_a, author=w.users.firm_a, body="补充说明")

    return {
        "desk.steward": (lambda w: Steward.objects.create(user=w.users.bureau_js, region=w.regions.js),
                         {"capacity": 30}),
        "desk.servicerequest": (new_request, {"title": "审计测试诉求（修改）"}),
        "desk.message": (new_message, {"body": "补充说明（修改）"}),
        "desk.attachment": (lambda w: Attachment.objects.create(message=new_message(w), name="说明.pdf",
                                                                file="desk/2026/01/audit.pdf", size=10),
                            {"name": "说明二.pdf"}),
        "desk.notice": (lambda w: Notice.objects.create(recipient=w.users.firm_a, request=desk_objects(w).request_a,
                                                        text="您的诉求已受理"),
                        {"text": "您的诉求已办结"}),
    }
