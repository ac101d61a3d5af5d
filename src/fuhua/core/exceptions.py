from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """Valid input that clashes with the current state: a step from the wrong state, a record still
    referred to, a concurrent duplicate. A ValidationError, so forms show it; the API answers 409."""
