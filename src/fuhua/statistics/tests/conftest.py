import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    # Messages are asserted in their English source text, so these tests hold whatever the .po says.
    with translation.override("en"):
        yield
