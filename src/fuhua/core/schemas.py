"""Schemas shared by every app's API: the input base class and the audit trail entry."""


import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

# An object id: bounded like the database's 64-bit keys, so an absurd number is a 422, not an overflow.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def storable_text(value):
    """PostgreSQL refuses NUL characters and every database lone surrogates: a validation error
    here instead of a failure at save time."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("NUL characters are not allowed")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("text must be valid Unicode") from exc
    return value


class InputSchema(Schema):
    """Base of request bodies: unknown fields are refused by name, not silently dropped."""

    model_config = ConfigDict(extra="forbid")

    _storable_text = field_validator("*", mode="after")(storable_text)


class ChangeOut(Schema):
    id: int
    time: datetime.datetime
    username: str
    user_id: int | None = None
    request_id: str
    source: str
    action: str
    reason: str
    object_repr: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class StepOut(Schema):
    """A workflow step the caller can take now (every app's `/{id}/transitions` answers a list of these)."""

    name: str
    label: str
    target: str
    needs_reason: bool = False
