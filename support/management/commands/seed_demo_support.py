"""The customer-service part of the ``make run`` demo, through the services:
a demo freelancer's question and the demo admin's reply (with DEBUG on,
where seed_demo makes the demo admin).

A command of its own because ``profiles`` (where ``seed_demo`` lives) sits
below ``support`` and must not import it; ``seed_demo`` calls it by name.
Idempotent: a second run finds the ticket and adds nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from profiles.management.commands.seed_demo import DEMO_ADMIN, FREELANCERS
from profiles.models import User
from support import services
from support.models import Ticket

#: The member who asks: the second demo freelancer.
MEMBER_EMAIL = FREELANCERS[1]["email"]
QUESTION = "Hej, jeg vil gerne vise min timepris på profilen. Hvor kan jeg skrive den?"
REPLY = (
    "Hej Mads, du kan skrive din timepris under Profil > Rediger. Den vises "
    "kun, når profilen er offentlig. Venlig hilsen kundeservice"
)


class Command(BaseCommand):
    help = (
        "Create the demo support ticket (a question from a demo freelancer and "
        "the staff reply). Idempotent; run seed_demo first."
    )

    def handle(self, *args, **options):
        try:
            member = User.objects.get(email=MEMBER_EMAIL)
        except User.DoesNotExist as error:
            raise CommandError("Run `manage.py seed_demo` first.") from error
        # The demo admin exists only with DEBUG on (seed_demo): without it the
        # question waits for staff, unanswered.
        staff = User.objects.filter(email=DEMO_ADMIN, is_staff=True).first()
        ticket = Ticket.objects.filter(user=member).order_by("pk").first()
        self.stdout.write(f"{'exists ' if ticket else 'created'} support ticket")
        if ticket is None:
            with translation.override("da"):
                ticket = services.ticket_submit(
                    user=member,
                    topic=Ticket.Topic.PROFILE,
                    body=QUESTION,
                    language="da",
                    client_ip="seed_demo",
                )
                if staff is not None:
                    services.ticket_assign(ticket=ticket, actor=staff, assignee=staff)
                    services.ticket_reply(ticket=ticket, actor=staff, body=REPLY)
        self.stdout.write(self.style.SUCCESS("Demo support ticket ready."))
