"""REST endpoints of the service desk: stewards (CRUD for bureaus), requests (read, open, messages and files,
steps, links) and the bureau's report. Every action fetches its object through `get_scoped` (403/404 by role
and scope) before a service checks again and does the work."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import COMMON_ERRORS, OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.context import change_reason
from fuhua.core.schemas import StepOut
from fuhua.core.uploads import size_problem

from . import schemas as s
from . import services
from .models import MAX_UPLOAD_BYTES, ServiceRequest, Steward
from .workflow import REQUEST_WORKFLOW

STEWARDS = Resource(Steward, s.StewardOut, s.StewardIn, filters=s.StewardFilters, ordering=("region_id", "capacity"),
                    select_related=("user", "region"), search=None)
REQUESTS = Resource(ServiceRequest, s.RequestOut, filters=s.RequestFilters,
                    ordering=("opened_at", "first_response_due", "resolution_due", "status", "rating"),
                    select_related=("firm", "organisation", "steward__user", "link_type"), search=None)


def requests_router() -> Router:
    r = crud_router(REQUESTS)

    def fresh(user, pk):
        return REQUESTS.queryset(user, "view").get(pk=pk)

    @r.post("", response={201: s.RequestOut, **WRITE_ERRORS},
            **operation("servicerequest_create", "Open a service request (routed to a steward by region and topic)"))
    def create(request, payload: s.RequestIn):
        require(request.auth_user, "add", ServiceRequest)
        data = payload.model_dump(exclude_none=True)
        obj = services.open_request(request.auth_user, data)
        return Status(201, fresh(request.auth_user, obj.pk))

    @r.get("/{id}/messages", response={200: list[s.DeskMessageOut], **OBJECT_ERRORS},
           **operation("servicerequest_messages", "The messages of a request, with their attachments"))
    def messages(request, id: int):
        obj = get_scoped(REQUESTS, request.auth_user, id)
        return list(obj.messages.select_related("author").prefetch_related("attachments"))

    @r.post("/{id}/messages", response={201: s.DeskMessageOut, **WRITE_ERRORS},
            **operation("servicerequest_message", "Write a message (multipart: body, files — each at most 10 MB)"))
    def message(request, id: int, body: Form[str] = "", files: File[list[UploadedFile]] = None):
        obj = get_scoped(REQUESTS, request.auth_user, id, "change")
        uploads = list(files or [])
        for upload in uploads or [None]:
            problem = size_problem(request, upload, MAX_UPLOAD_BYTES, field="files")
            if problem is not None:
                raise ValidationError({"files": problem})
        return Status(201, services.post_message(request.auth_user, obj, body, uploads))

    @r.get("/{id}/transitions", response={200: list[StepOut], **OBJECT_ERRORS},
           **operation("servicerequest_steps", "The steps the caller can take now"))
    def steps(request, id: int):
        obj = get_scoped(REQUESTS, request.auth_user, id)
        return [{"name": t.name, "label": str(t.label), "target": t.target, "needs_reason": t.needs_reason}
                for t in REQUEST_WORKFLOW.available(request.auth_user, obj)]

    @r.post("/{id}/transitions/{name}", response={200: s.RequestOut, **WRITE_ERRORS},
            **operation("servicerequest_transition",
                        "Take a step: assign (steward), start, ask, reply, resolve, reopen, rate (rating 1–5, "
                        "comment), withdraw"))
    def step(request, id: int, name: str, payload: s.DeskStepIn):
        obj = get_scoped(REQUESTS, request.auth_user, id, "change")
        if name not in REQUEST_WORKFLOW.transitions:
            raise Http404
        if name == "assign":
            services.assign_in_scope(request.auth_user, obj, payload.steward, reason=payload.reason)
        else:
            extra = {"rating": payload.rating, "comment": payload.comment} if name == "rate" else {}
            services.take_step(request.auth_user, obj, name, reason=payload.reason, **extra)
        return fresh(request.auth_user, id)

    @r.post("/{id}/link", response={200: s.RequestOut, **WRITE_ERRORS},
            **operation("servicerequest_link", "Link the request to a policy application, a voucher order or an event"))
    def link(request, id: int, payload: s.LinkIn):
        obj = get_scoped(REQUESTS, request.auth_user, id, "change")
        with change_reason(payload.reason):
            services.set_link(request.auth_user, obj, payload.link, payload.link_id)
        return fresh(request.auth_user, id)

    return r


def report_router() -> Router:
    r = Router(tags=["service desk"])

    @r.get("", response={200: s.DeskReportOut, **COMMON_ERRORS},
           **operation("desk_report", "Load, overdue requests, response times and satisfaction by steward and topic"))
    def report(request, since: datetime.date | None = None):
        require(request.auth_user, "view", Steward)
        return services.report(request.auth_user, timezone.localdate(), since).as_dict()

    return r


def routers() -> dict[str, Router]:
    """URL prefix → router; api.py mounts each under /api/v1/<prefix>."""
    return {"stewards": crud_router(STEWARDS), "service-requests": requests_router(), "desk-report": report_router()}
