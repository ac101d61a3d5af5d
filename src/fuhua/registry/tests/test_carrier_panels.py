"""Other apps' panels and sections on the registry's carrier page arrive by registration (core.extensions):
incubation's tenants and proposals, evaluation's published grades, policies' entitlements — each shown
only to a user who may see that app's data."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from fuhua.policies import services as policy_services
from fuhua.policies.models import Entitlement
from fuhua.policies.testing import suzhou

pytestmark = pytest.mark.django_db


def page(user, carrier) -> str:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    response = client.get(reverse("registry:carrier_detail", kwargs={"pk": carrier.pk}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def carrier_with_grade_and_entitlements(world):
    policy_services.sync_policies()
    suzhou(world)  # carrier_a graded B for 2024, published
    policy_services.run_entitlements(world.users.bureau_sz, "suzhou-2020-carriers", datetime.date(2025, 6, 30))
    assert Entitlement.objects.filter(carrier=world.carrier_a).exists()
    return world.carrier_a


def test_bureau_sees_every_apps_sections_on_the_carrier_page(world, carrier_with_grade_and_entitlements):
    html = page(world.users.bureau_sz, carrier_with_grade_and_entitlements)
    assert "Tenants" in html and "Proposed graduations" in html  # incubation's section and panel
    assert "Evaluation results" in html and "test-scheme" in html  # evaluation's section
    entitlements = Entitlement.objects.filter(carrier=carrier_with_grade_and_entitlements).count()
    assert f'Entitlements <span class="count">{entitlements}</span>' in html  # policies' section


def test_an_association_sees_the_carrier_but_none_of_those_sections(world, carrier_with_grade_and_entitlements):
    html = page(world.users.association, carrier_with_grade_and_entitlements)
    assert carrier_with_grade_and_entitlements.name in html
    assert "Evaluation results" not in html and "Entitlements" not in html
    assert "Proposed graduations" not in html
