"""The scoping mechanism itself: each role sees exactly its slice of the registry."""

import pytest
from django.utils import translation

from fuhua.core.scoping import check
from fuhua.incubation.models import Incubation
from fuhua.registry.models import Carrier, Firm, MentorProfile, Organisation, Recognition, Region


def ids(qs):
    return set(qs.values_list("pk", flat=True))


@pytest.mark.django_db
class TestScopes:
    def test_bureau_sees_its_region_and_below(self, world):
        u = world.users
        assert ids(Carrier.objects.restrict(u.bureau_sz)) == {world.carrier_a.pk}
        assert ids(Carrier.objects.restrict(u.bureau_nj)) == {world.carrier_b.pk}
        assert ids(Carrier.objects.restrict(u.bureau_js)) == {world.carrier_a.pk, world.carrier_b.pk}

    def test_firm_scope_has_no_duplicates_across_incubations(self, world):
        Incubation.objects.create(firm=world.firm_a, carrier=world.carrier_a, status="graduated")
        assert list(Firm.objects.restrict(world.users.bureau_sz).values_list("pk", flat=True)) == [world.firm_a.pk]

    def test_operator_sees_own_carriers_and_tenants(self, world):
        u = world.users.operator_a
        assert ids(Carrier.objects.restrict(u)) == {world.carrier_a.pk}
        assert ids(Firm.objects.restrict(u)) == {world.firm_a.pk}
        assert ids(Recognition.objects.restrict(u)) == {world.rec_a.pk}
        assert ids(MentorProfile.objects.restrict(u)) == {world.mentor_a.pk}
        assert not Recognition.objects.restrict(u, "change").exists()

    def test_firm_user_sees_only_its_firm(self, world):
        u = world.users.firm_a
        assert ids(Firm.objects.restrict(u)) == {world.firm_a.pk}
        assert ids(Incubation.objects.restrict(u)) == {world.inc_a.pk}
        assert not Carrier.objects.restrict(u).exists()

    def test_association_reads_members_only(self, world):
        u = world.users.association
        assert ids(Carrier.objects.restrict(u)) == {world.carrier_a.pk}
        assert not Carrier.objects.restrict(u, "change").exists()
        assert not Firm.objects.restrict(u).exists()

    def test_regions_are_reference_data_for_every_role(self, world):
        total = Region.objects.count()
        for user in vars(world.users).values():
            expected = 0 if user.username == "nobody" else total
            assert Region.objects.restrict(user).count() == expected, user.username
        assert not Region.objects.restrict(world.users.bureau_js, "change").exists()

    @translation.override("en")  # the reasons are asserted in their English source text
    def test_check_gives_reasons(self, world):
        u = world.users
        assert check(u.bureau_sz, "change", world.carrier_a)
        outside = check(u.bureau_nj, "change", world.carrier_a)
        assert not outside and "outside your scope" in outside.reason
        role = check(u.firm_a, "delete", world.firm_a)
        assert not role and "may not delete" in role.reason

    def test_service_provider_sees_own_organisation(self, world):
        assert ids(Organisation.objects.restrict(world.users.provider)) == {world.provider.pk}
