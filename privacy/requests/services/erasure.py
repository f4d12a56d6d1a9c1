"""Erasure on request (GDPR Art. 17): erase, tell recipients, complete.

What is erased, and what a law keeps, is ``privacy.erasure``'s; this step
adds the request's part: recipients are read before the erasure removes
them, and the reply goes to the address asked under, which the erasure
anonymises on the request itself.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from privacy.erasure import erasure_execute
from privacy.models import DataSubjectRequest
from privacy.registry import personal_data
from privacy.requests.notices import in_requester_language
from privacy.requests.services.workflow import (
    dsr_finish,
    dsr_lock,
    dsr_progress_start,
    dsr_recipients_notify,
    dsr_status_require,
)

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status


def _kept_line(item: dict) -> str:
    """One kept record type for the reply: what, why and until when."""
    what = item.get("name") or item["model"]
    line = f"\n- {what} ({item['rows']}): {item['reason']}"
    if item.get("until"):
        until = formats.date_format(dt.date.fromisoformat(item["until"]), "DATE_FORMAT")
        line += " " + _("Kept until %(date)s.") % {"date": until}
    return line


@in_requester_language
@transaction.atomic
def dsr_erasure_execute(
    *, request: DataSubjectRequest, actor, base_url: str = ""
) -> DataSubjectRequest:
    """Erase the subject (``privacy.erasure``), tell recipients, complete."""
    request = dsr_lock(request)
    if request.kind != Kind.ERASURE:
        raise ValidationError(_("This is not an erasure request."), code="kind")
    dsr_status_require(request, Status.VERIFIED, Status.IN_PROGRESS, step=_("executed"))
    if request.subject is None:
        raise ValidationError(
            _("No account matches this request; complete it instead."),
            code="no_subject",
        )
    dsr_progress_start(request, actor=actor)
    reply_to = request.email
    recipients = personal_data.recipients(request.subject)
    outcome = erasure_execute(user=request.subject, actor=actor, request=request)
    # The erasure anonymised this request's own e-mail and details too.
    request = dsr_lock(request)
    request.erased_at = timezone.now()
    request.legal_exceptions = outcome.kept
    request.save(update_fields=["erased_at", "legal_exceptions"])
    dsr_recipients_notify(request, recipients=recipients)
    kept = "".join(_kept_line(item) for item in outcome.kept)
    extra = _("Your account and personal data were erased.")
    if kept:
        extra += "\n" + _("Kept because the law requires it:") + kept
    request.email = reply_to  # for the reply only; not saved
    dsr_finish(request, actor=actor, base_url=base_url, extra=extra)
    return request
