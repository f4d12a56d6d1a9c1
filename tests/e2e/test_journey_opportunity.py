"""Journey: a company posts an opportunity in the browser, a matching
freelancer gets the alert mail (the locmem outbox), follows its link, presses
"I'm interested", and the company finds the conversation in its inbox.

Celery runs its tasks in-process (eager), after commit, as a worker would:
the fan-out matches the freelancer and sends through the mail service.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from engagements.models import Thread
from opportunities.models import Opportunity, OpportunityDelivery
from tests.e2e.test_journey_export import _log_in
from tests.opportunities.support import poster, skill, subscriber

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMPANY_EMAIL = "mette.opslag@firma.example"


@pytest.fixture
def eager_tasks():
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


def test_a_company_posts_and_a_matching_freelancer_expresses_interest(
    live_server, browser, eager_tasks, settings, shot
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    who = poster()
    who.member.email = COMPANY_EMAIL
    who.member.save()
    who.member.emailaddress_set.update(email=COMPANY_EMAIL)
    django = skill("Django")
    freelancer = subscriber(language="en", frequency="immediate")
    bystander = subscriber(language="en", skills=("React",))

    buyer: Page = browser.new_context().new_page()
    seller: Page = browser.new_context().new_page()

    # The company member posts the opportunity.
    _log_in(buyer, base, COMPANY_EMAIL)
    buyer.goto(base + "/opportunities/new/")
    buyer.locator("#id_title").fill("Django developer for a ferry booking app")
    buyer.locator("#id_description").fill("Three months, from March.")
    buyer.locator("#id_skills").select_option(str(django.pk))
    buyer.locator("#id_work_mode").select_option("remote")
    buyer.locator("#id_deadline").fill(
        (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    )
    buyer.get_by_role("button", name="Post").click()
    expect(buyer.get_by_text("Your opportunity is posted.")).to_be_visible()
    shot(buyer, "opportunity-posted")
    opportunity = Opportunity.objects.get()

    # The fan-out ran after the post's commit: one mail, to the match only.
    assert OpportunityDelivery.objects.filter(sent_at__isnull=False).count() == 1
    (alert,) = [m for m in mail.outbox if m.to == [freelancer.email]]
    assert not [m for m in mail.outbox if m.to == [bystander.email]]
    link = re.search(rf"{re.escape(base)}/opportunities/\d+/", alert.body).group(0)
    assert link.endswith(f"/opportunities/{opportunity.pk}/")

    # The freelancer follows the mail's link and says they are interested.
    _log_in(seller, base, freelancer.email)
    seller.goto(link)
    seller.locator("#id_body").fill("I have built two booking apps in Django.")
    seller.get_by_role("button", name="I'm interested").click()
    expect(seller.get_by_text("The company has your message")).to_be_visible()
    shot(seller, "interest-expressed")

    # The company sees the conversation in its inbox.
    thread = Thread.objects.get()
    buyer.goto(base + "/inbox/")
    buyer.get_by_role("link", name=opportunity.title).click()
    expect(
        buyer.get_by_text("I have built two booking apps in Django.")
    ).to_be_visible()
    assert buyer.url.endswith(f"/inbox/{thread.pk}/")
    shot(buyer, "interest-received")
