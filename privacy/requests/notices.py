"""The mails of data-subject requests: to the requester at every step, to the
recipients of their data (GDPR Art. 19), and the staff digest.

- Every mail leaves after commit (``core.mail.mail_after_commit``): a step
  that rolls back sends nothing. A failing mail server is logged, not raised.
- Mails to the requester read in the request's language whoever acts
  (``in_requester_language`` on the services), and are signed with the
  controller's details. A mail to a recipient names the person only by the
  reference the recipient already knows.
- The digest goes to staff who may see requests, and names requests by
  number, kind and due date only.
- "Your export is ready" goes to the member through the one mail service
  (``consent.mail.mail_send``, kind SERVICE, in the member's language), which
  ``consent`` registers here (``service_mail_sender``): privacy sits below
  consent and cannot import it.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.batches import send_each
from core.mail import absolute_url, mail_after_commit
from privacy.facts import COMPLAINT_TEXT, controller_footer
from privacy.models import DataSubjectRequest
from privacy.registry import Recipient
from privacy.requests.selectors import dsr_due_soon, dsr_flagged, dsr_overdue

Kind = DataSubjectRequest.Kind


_service_mail_sender = None


def service_mail_sender(sender) -> None:
    """Register the sender of service mail to a member: ``sender(*, user,
    template, context)`` queues it after commit (``consent`` registers
    ``mail_send(kind=MailKind.SERVICE, ...)`` in its ``AppConfig.ready``)."""
    global _service_mail_sender
    _service_mail_sender = sender


def in_requester_language(func):
    """Run a service in the language of the request it is given (``request=``),
    so the e-mail it sends reads in the requester's language, whoever acts."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        request = kwargs.get("request")
        language = getattr(request, "language", "") or translation.get_language()
        with translation.override(language):
            return func(*args, **kwargs)

    return wrapper


def notice_send(*, to: str, subject: str, body: str) -> None:
    """Send a plain-text e-mail to a data subject after commit, signed with
    the controller's details; a failure is logged, not raised."""
    mail_after_commit(
        to=to, subject=f"[Worksome] {subject}", body=body + controller_footer()
    )


def dsr_status_line(request: DataSubjectRequest) -> str:
    """ "Request #12 (Access to my data), due 3 March 2026." """
    due = timezone.localtime(request.effective_due_at)
    return _("Request #%(id)s (%(kind)s), due %(due)s.") % {
        "id": request.pk,
        "kind": request.get_kind_display(),
        "due": formats.date_format(due),
    }


# --- To the requester ------------------------------------------------------------


def dsr_received_notify(request: DataSubjectRequest, *, base_url: str) -> None:
    """A member's request arrived (verified by their login)."""
    link = absolute_url(base_url=base_url, path=request.get_absolute_url())
    notice_send(
        to=request.email,
        subject=_("We received your privacy request"),
        body=_(
            "We received your request and verified it through your login.\n"
            "%(status)s\n\nFollow it here: %(link)s\n"
        )
        % {"status": dsr_status_line(request), "link": link},
    )


def dsr_verification_link_send(request: DataSubjectRequest, *, link: str) -> None:
    """The single-use link that confirms an anonymous request."""
    notice_send(
        to=request.email,
        subject=_("Confirm your privacy request"),
        body=_(
            "We received a privacy request (%(kind)s) for this address.\n\n"
            "Confirm it within 24 hours with this link (it works once):\n"
            "%(link)s\n\n"
            "If you did not ask for this, ignore this e-mail; nothing happens."
        )
        % {"kind": request.get_kind_display(), "link": link},
    )


def dsr_verified_notify(request: DataSubjectRequest, *, by_link: bool) -> None:
    """The request is confirmed: by the requester's link, or by staff."""
    if by_link:
        body = _(
            "Thank you: your request is confirmed and we are working on it.\n%(s)s\n"
        )
    else:
        body = _("Your request is confirmed and we are working on it.\n%(s)s\n")
    notice_send(
        to=request.email,
        subject=_("Your privacy request is confirmed"),
        body=body % {"s": dsr_status_line(request)},
    )


def dsr_extended_notify(request: DataSubjectRequest, *, reason: str) -> None:
    """The deadline was extended, and why (GDPR Art. 12(3))."""
    notice_send(
        to=request.email,
        subject=_("Your privacy request needs more time"),
        body=_(
            "We need more time to answer your request, for this reason:\n\n"
            "%(reason)s\n\n%(s)s\n\n%(complaint)s\n"
        )
        % {
            "reason": reason,
            "s": dsr_status_line(request),
            "complaint": COMPLAINT_TEXT,
        },
    )


def dsr_rejected_notify(request: DataSubjectRequest, *, reason: str) -> None:
    """The refusal, its reason and how to complain (GDPR Art. 12(4))."""
    notice_send(
        to=request.email,
        subject=_("Your privacy request was rejected"),
        body=_(
            "We cannot carry out your request, for this reason:\n\n%(reason)s\n\n"
            "%(complaint)s You may also take the matter to court.\n"
        )
        % {"reason": reason, "complaint": COMPLAINT_TEXT},
    )


def dsr_completed_notify(
    request: DataSubjectRequest, *, base_url: str, extra: str = ""
) -> None:
    """The request is complete; ``extra`` says what was done. Erasure's reply
    has no link: there is no account left to follow it from."""
    body = _("Your request is complete.\n%(s)s\n") % {"s": dsr_status_line(request)}
    if extra:
        body += f"\n{extra}\n"
    if request.subject is not None and request.kind != Kind.ERASURE:
        link = absolute_url(base_url=base_url, path=request.get_absolute_url())
        body += "\n" + _("Details: %(link)s") % {"link": link} + "\n"
    notice_send(
        to=request.email, subject=_("Your privacy request is complete"), body=body
    )


def dsr_export_ready_notify(
    request: DataSubjectRequest,
    *,
    link: str,
    expires_at: dt.datetime,
    request_url: str = "",
) -> None:
    """The member's export is ready: the download link and until when it works.

    In the member's language (the mail service reads ``user.language``); the
    context holds only strings, so the mail can be queued.
    """
    context = {
        "request_id": request.pk,
        "kind": request.kind,
        "link": link,
        "expires_at": expires_at.isoformat(),
        "request_url": request_url,
    }
    if _service_mail_sender is not None and request.subject is not None:
        _service_mail_sender(
            user=request.subject,
            template="privacy/email/export_ready",
            context=context,
        )
        return
    notice_send(  # no mail service registered (privacy used on its own)
        to=request.email,
        subject=_("Your data is ready to download"),
        body=_("Download it here (the link expires on %(expires)s):\n%(link)s\n")
        % {
            "expires": formats.date_format(timezone.localtime(expires_at)),
            "link": link,
        },
    )


def dsr_restriction_lift_warn(request: DataSubjectRequest) -> None:
    """The restriction is about to be lifted (GDPR Art. 18(3))."""
    notice_send(
        to=request.email,
        subject=_("The restriction of your data will be lifted"),
        body=_(
            "We will lift the restriction of processing of your data (request "
            "#%(id)s). After that your profile can be used again as before.\n\n"
            "%(complaint)s\n"
        )
        % {"id": request.pk, "complaint": COMPLAINT_TEXT},
    )


# --- To recipients (Art. 19) -------------------------------------------------------

# Lazy: translated when the notice is written, in the language active then.
_RECIPIENT_NOTICE = {
    Kind.RECTIFICATION: gettext_lazy("has had their personal data corrected"),
    Kind.ERASURE: gettext_lazy("has had their personal data erased"),
    Kind.RESTRICTION: gettext_lazy(
        "has had the processing of their personal data restricted"
    ),
}


def recipient_notify(request: DataSubjectRequest, *, recipient: Recipient) -> bool:
    """Tell one recipient of the subject's data what changed (Art. 19);
    False when there is no address to tell."""
    if not recipient.email:
        return False
    since = (
        formats.date_format(timezone.localtime(recipient.since))
        if recipient.since
        else "-"
    )
    notice_send(
        to=recipient.email,
        subject=_("A data-subject request concerning data you received"),
        body=_(
            "%(who)s, whose data you received from Worksome on "
            "%(since)s, %(what)s under the GDPR. Please apply the same "
            "change to any copy you hold (GDPR Art. 19).\n"
        )
        % {
            "who": recipient.reference or _("A person"),
            "since": since,
            "what": _RECIPIENT_NOTICE[request.kind],
        },
    )
    return True


# --- To staff ------------------------------------------------------------------------


def _digest_lines(requests) -> str:
    return (
        "\n".join(
            f"- #{r.pk} {r.get_kind_display()} ({r.get_status_display()}), due "
            f"{timezone.localtime(r.effective_due):%Y-%m-%d}"
            for r in requests
        )
        or "-"
    )


def dsr_digest_send(*, now: dt.datetime | None = None) -> int:
    """E-mail staff who may see requests the overdue and due-soon ones.

    Returns the number of e-mails sent (none when nothing is due). There is
    nothing to claim: a second run the same day sends the digest again. One
    address that fails does not stop the others (``send_each``).
    """
    now = now or timezone.now()
    overdue = list(dsr_overdue(now=now).order_by("effective_due"))
    soon = list(dsr_due_soon(now=now).order_by("effective_due"))
    # Flagged requests wait for staff (the only ones a member's export does).
    flagged = list(dsr_flagged().order_by("effective_due"))
    if not overdue and not soon and not flagged:
        return 0
    subject = _("[Worksome] %(n)d overdue, %(m)d due soon: data-subject requests") % {
        "n": len(overdue),
        "m": len(soon),
    }
    body = _(
        "Overdue data-subject requests:\n%(overdue)s\n\nDue within 7 days:\n%(soon)s\n"
    ) % {"overdue": _digest_lines(overdue), "soon": _digest_lines(soon)}
    if flagged:
        body += "\n" + _("Flagged for staff (nothing happens until you act):")
        body += "\n" + _digest_lines(flagged) + "\n"
    staff = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename="view_datasubjectrequest")
            | Q(groups__permissions__codename="view_datasubjectrequest")
        )
        .distinct()
    )
    readers = [m for m in staff if m.has_perm("privacy.view_datasubjectrequest")]
    sent, _failed = send_each(
        readers,
        lambda member: send_mail(subject, body, None, [member.email]),
        label="dsr digest",
    )
    return sent
