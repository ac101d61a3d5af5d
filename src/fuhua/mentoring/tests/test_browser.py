"""结对辅导 in Debian's chromium, on the small demo as of today: the demo mentor finds the pairing waiting in the
inbox and starts it, logs a session from the pairing, the demo firm rates the mentoring, the mentor completes the
pairing; the annual statistics prefill of the carrier counts the logged hours. Screenshots go to
FUHUA_SCREENSHOTS (var/screenshots)."""

import pytest
from django.utils import timezone

from fuhua.events.tests import browser_kit as kit

pytestmark = pytest.mark.browser
live_demo = kit.live_demo


def test_a_mentor_pairs_logs_and_completes_and_the_firm_rates(page, live_server, live_demo):
    from fuhua.core import prefill
    from fuhua.mentoring.models import Feedback, Pairing, PairingStatus, ServiceLog

    base, password = live_server.url, live_demo
    pairing = Pairing.objects.get(mentor__profile__user__username="mentor", status=PairingStatus.PROPOSED)
    year = timezone.localdate().year
    logged = ServiceLog.objects.filter(pairing__carrier_id=pairing.carrier_id, date__year=year)
    hours_before = sum(float(h) for h in logged.values_list("hours", flat=True))

    # The mentor: the pairing waits in the inbox; started from its page.
    mentor = kit.Person(page, base, password, "mentor", "mentoring")
    mentor.inbox("mentoring.proposed")
    with page.expect_navigation():
        page.click(f"a[href='/mentoring/pairings/{pairing.pk}/']")
    mentor.snap("pairing-proposed")
    mentor.submit("form[data-transition=activate] button[type=submit]")
    assert Pairing.objects.get(pk=pairing.pk).status == PairingStatus.ACTIVE, mentor.message()
    mentor.snap("pairing-active")

    # …logs a session with the firm (the form knows the mentor and the firm from the pairing).
    mentor.go(f"/mentoring/logs/new/?mentor={pairing.mentor_id}&firm={pairing.firm_id}")
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_hours", "2.5")
    page.fill("#id_topic", "专利布局与高企申报材料梳理")
    page.fill("#id_outcome", "形成 6 项发明专利申请清单")
    mentor.snap("log-form")
    mentor.submit("main form button[type=submit]")
    log = ServiceLog.objects.get(pairing=pairing, topic="专利布局与高企申报材料梳理")
    assert float(log.hours) == 2.5

    # The firm: rates the mentoring from the pairing's page.
    firm = kit.Person(page, base, password, "firm", "mentoring")
    firm.go(f"/mentoring/pairings/{pairing.pk}/")
    assert "专利布局与高企申报材料梳理" in page.inner_text("main")
    with page.expect_navigation():
        page.click(f"a[href='/mentoring/feedback/new/?pairing={pairing.pk}']")
    page.fill("#id_score", "5")
    page.fill("#id_comment", "导师对专利布局的建议很具体")
    firm.submit("main form button[type=submit]")
    assert Feedback.objects.get(pairing=pairing).score == 5
    firm.snap("feedback")

    # The mentor completes the pairing (irreversible: confirmed).
    mentor = kit.Person(page, base, password, "mentor", "mentoring")
    mentor.go(f"/mentoring/pairings/{pairing.pk}/")
    mentor.submit("form[data-transition=complete] button[type=submit]")
    assert Pairing.objects.get(pk=pairing.pk).status == PairingStatus.COMPLETED, mentor.message()
    mentor.snap("pairing-completed")

    # The annual statistics read the logged hours (prefill source `mentoring`), not a hand-typed count.
    hours_after = prefill.load(["mentoring.service_hours"], [pairing.carrier_id], year)[
        "mentoring.service_hours"].get(pairing.carrier_id, 0)
    assert hours_after == round(hours_before + 2.5)  # the carrier's hours of the year, in whole hours
