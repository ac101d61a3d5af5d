"""One error shape for every API error, whatever raised it.

    {"status": 422, "code": "validation_error", "message": "…",
     "errors": [{"field": "credit_code", "message": "…", "code": "check_character"}]}

`install(api)` registers the handlers; `with_json_errors` and `not_found_view` cover what Django
answers itself under /api/v1 (405 from ninja's path views, unknown paths).
"""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .exceptions import Conflict

logger = logging.getLogger("fuhua.api")

__all__ = ["Conflict", "ErrorOut", "install"]

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "throttled",
    500: "server_error",
}


class ErrorItem(Schema):
    field: str | None = None
    message: str
    code: str | None = None


class ErrorOut(Schema):
    status: int
    code: str
    message: str
    errors: list[ErrorItem] = []


def error_responses(*statuses: int) -> dict:
    """The `response=` entries documenting the error shape for these statuses in the OpenAPI."""
    return {status: ErrorOut for status in statuses}


# What any operation may answer besides its success: bad body, no credentials, no right, server fault.
COMMON_ERRORS = error_responses(400, 401, 403, 422, 500)
OBJECT_ERRORS = error_responses(400, 401, 403, 404, 422, 500)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 500)


def error_body(status: int, message: str, errors: list[dict] | None = None, code: str | None = None) -> dict:
    return {"status": status, "code": code or CODES.get(status, "error"), "message": message, "errors": errors or []}


def error_response(status: int, message: str, errors: list[dict] | None = None, code: str | None = None):
    body = error_body(status, message, errors, code)
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _field_from_loc(loc) -> str | None:
    # ninja: ("body", <param>, field, …), ("query", field), ("path", field); the source and body param go.
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or None


def _django_items(exc: DjangoValidationError) -> list[dict]:
    if not hasattr(exc, "error_dict"):
        return [{"field": None, "message": m, "code": e.code} for e in exc.error_list for m in e.messages]
    items = []
    for field, errors in exc.error_dict.items():
        name = None if field == "__all__" else field
        items += [{"field": name, "message": m, "code": e.code} for e in errors for m in e.messages]
    return items


def install(api) -> None:
    def respond(request, status, message, errors=None, code=None):
        return api.create_response(request, error_body(status, message, errors, code), status=status)

    @api.exception_handler(NinjaValidationError)
    def schema_invalid(request, exc):
        items = [
            {"field": _field_from_loc(e.get("loc", ())), "message": e.get("msg", ""), "code": e.get("type")}
            for e in exc.errors
        ]
        return respond(request, 422, _("The request is not valid."), items)

    @api.exception_handler(DjangoValidationError)
    def model_invalid(request, exc):
        return respond(request, 422, _("The data is not valid."), _django_items(exc))

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, exc):
        response = respond(request, 401, _("Sign in or send a bearer token (Authorization: Bearer fh_…)."))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc):  # ninja's own: unparsable body (400), CSRF failure (403)
        return respond(request, exc.status_code, str(exc))

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        return respond(request, 403, str(exc) or _("You may not do this."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, _("Not found."))

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return respond(request, 404, _("Not found."))

    @api.exception_handler(Conflict)
    def state_conflict(request, exc):
        return respond(request, 409, " ".join(exc.messages))

    @api.exception_handler(IntegrityError)
    def conflict(request, exc):
        logger.warning("integrity error on %s %s: %s", request.method, request.path, exc)
        return respond(request, 409, _("The change conflicts with existing data."))

    @api.exception_handler(Exception)
    def server_error(request, exc):
        # Logged with the traceback for operators; the client only learns the request id.
        logger.exception("API error on %s %s", request.method, request.path)
        request_id = getattr(request, "request_id", "")
        return respond(request, 500, _("Internal error; quote request id %(id)s.") % {"id": request_id})


def with_json_errors(view):
    """Wrap a URL view so what Django answers itself (a bare 405, a 404 raised outside an operation,
    such as at the API root) comes out in the error shape too."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found_view(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            json = error_response(405, _("Method %(method)s is not allowed here.") % {"method": request.method})
            json["Allow"] = response.get("Allow", "")
            return json
        return response

    return wrapped


@csrf_exempt  # an unknown path is a 404 whatever the method, not a CSRF failure
def not_found_view(request, *args, **kwargs):
    return error_response(404, _("No such API endpoint; the documentation is at /api/v1/docs."))
