"""What a member reads about their request: where it stands, what happens
next and by when, in plain words (per kind and state).

One home for the page (``request_detail``) and its JSON status
(``request_status``, polled by ``static/privacy/dsr_status.js``), so the
page and the poll never disagree. Read-only; takes a request already checked
to be the member's own (``selectors.dsr_get_for_user``).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from privacy.models import DataSubjectRequest, ExportArchive

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status
Export = ExportArchive.Status
EXPORT_KINDS = (Kind.ACCESS, Kind.PORTABILITY)

#: the export's state as the member reads it: queued, building, ready, ...
EXPORT_PHASE = {
    Export.PENDING: "queued",
    Export.BUILDING: "building",
    Export.READY: "ready",
    Export.FAILED: "failed",
}


def _date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def _export_phase(archive: ExportArchive | None) -> str:
    if archive is None:
        return ""
    if archive.status == Export.READY and not archive.is_downloadable:
        return "expired"
    return EXPORT_PHASE[archive.status]


def _open_next(req: DataSubjectRequest, phase: str) -> str:
    due = _date(req.effective_due_at)
    if req.kind in EXPORT_KINDS:
        if phase == "queued":
            return _(
                "Your copy is queued and is usually ready within a few minutes. "
                "This page updates by itself, and we e-mail you when it is ready."
            )
        if phase == "building":
            return _(
                "Your copy is being built. This page updates by itself, and we "
                "e-mail you when it is ready."
            )
        if phase == "failed":
            return _(
                "Building your copy failed. Our staff build it again; you will "
                "have it by %(due)s at the latest, and we e-mail you then."
            ) % {"due": due}
        return _(
            "A member of our staff checks this request before your copy is "
            "built. You will have it by %(due)s at the latest; we e-mail you "
            "when it is ready."
        ) % {"due": due}
    texts = {
        Kind.ERASURE: _(
            "Our staff check whether the law requires us to keep anything, "
            "then erase your account and data by %(due)s. We e-mail you when "
            "it is done; after that you can no longer log in."
        ),
        Kind.RESTRICTION: _(
            "Our staff restrict the use of your data by %(due)s: it is kept "
            "but not used, and your profile is hidden. We e-mail you when it "
            "is done."
        ),
        Kind.RECTIFICATION: _(
            "Our staff correct your data as you described by %(due)s and tell "
            "anyone we shared it with. We e-mail you when it is done."
        ),
        Kind.OBJECTION: _(
            "Marketing to you has already stopped. Our staff close the request "
            "by %(due)s; you need not do anything."
        ),
        Kind.CONSENT_WITHDRAWAL: _(
            "Your consents are already withdrawn. Our staff close the request "
            "by %(due)s; you need not do anything."
        ),
    }
    return texts[req.kind] % {"due": due}


def dsr_next_step(req: DataSubjectRequest) -> str:
    """What happens next with this request, and by when, in one or two sentences."""
    archive = getattr(req, "export", None)
    phase = _export_phase(archive)
    if req.status == Status.RECEIVED:
        return _(
            "Confirm the request with the link we e-mailed to you; it works for "
            "24 hours. Nothing happens until you do."
        )
    if req.status in (Status.VERIFIED, Status.IN_PROGRESS):
        return _open_next(req, phase)
    if req.status == Status.REJECTED:
        return _(
            "We could not carry out this request; the reason is below. "
            "Nothing more happens unless you send a new request or complain."
        )
    if phase == "ready":
        return _(
            "Your copy is ready. Download it by %(date)s; after that it is deleted."
        ) % {"date": _date(archive.expires_at)}
    if phase == "expired":
        return _(
            "The download has expired and the file was deleted. Send a new "
            "request for a fresh copy."
        )
    return _("Done on %(date)s. Nothing more happens.") % {
        "date": _date(req.completed_at or timezone.now())
    }


def dsr_status_for_member(req: DataSubjectRequest) -> dict:
    """The request's state for its owner's status poll (JSON-ready)."""
    archive = getattr(req, "export", None)
    phase = _export_phase(archive)
    export = None
    if archive is not None:
        export = {
            "phase": phase,
            "progress": archive.progress,
            "download_url": (
                reverse("privacy:export_download", kwargs={"pk": req.pk})
                if archive.is_downloadable
                else None
            ),
        }
    return {
        "id": req.pk,
        "status": req.status,
        "status_label": str(req.get_status_display()),
        "next_step": dsr_next_step(req),
        "due": timezone.localtime(req.effective_due_at).isoformat(),
        "export": export,
        # Only the worker changes things by itself: the poll stops otherwise.
        "final": phase not in ("queued", "building"),
    }
