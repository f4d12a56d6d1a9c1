"""The request's change page as a work queue: one button per step that is
possible now, each with a confirmation page (and its reason, where the step
needs one) and the audit trail beside it.

Every button calls the same service as the changelist's actions and the
site (``privacy.requests.services``); a refused step (ValidationError) changes
nothing and is shown on the confirmation page. A step is offered only in the
statuses and kinds its service accepts, and only to staff with its
permission; a POST to a step that is not offered is refused the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import DataSubjectRequest, ExportArchive
from privacy.requests import services as dsr
from privacy.requests.forms import ExtendForm, ReasonForm
from privacy.requests.services.workflow import EXPORT_KINDS

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status
WORKING = (Status.VERIFIED, Status.IN_PROGRESS)


class ConfirmForm(forms.Form):
    """A step without input: the confirmation is the POST itself."""


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    permission: str  # "process", "erase" or "restrict" (the admin's has_*)
    call: Callable  # (obj, user, data, base_url) -> None
    offered: Callable[[DataSubjectRequest], bool]
    form: type[forms.Form] = ConfirmForm
    danger: bool = False
    explain: str = ""


def _export_offered(obj: DataSubjectRequest) -> bool:
    if obj.kind not in EXPORT_KINDS or obj.status not in WORKING or not obj.subject_id:
        return False
    archive = getattr(obj, "export", None)
    return archive is None or archive.status in (
        ExportArchive.Status.PENDING,
        ExportArchive.Status.FAILED,
    )


def _complete_offered(obj: DataSubjectRequest) -> bool:
    own_action = (*EXPORT_KINDS, Kind.ERASURE, Kind.RESTRICTION)
    return obj.status in WORKING and (
        obj.subject_id is None or obj.kind not in own_action
    )


STEPS: tuple[Step, ...] = (
    Step(
        "verify",
        _("Verify the requester"),
        "process",
        lambda obj, user, data, base: dsr.dsr_verify(request=obj, actor=user),
        lambda obj: obj.status == Status.RECEIVED,
        explain=_(
            "You confirmed the requester's identity another way; the requester "
            "is told the request is confirmed."
        ),
    ),
    Step(
        "start",
        _("Start"),
        "process",
        lambda obj, user, data, base: dsr.dsr_start(request=obj, actor=user),
        lambda obj: obj.status == Status.VERIFIED,
        explain=_("Marks the request as in progress."),
    ),
    Step(
        "build_export",
        _("Build the export"),
        "process",
        lambda obj, user, data, base: dsr.dsr_export_request(
            request=obj, actor=user, base_url=base
        ),
        _export_offered,
        explain=_(
            "The worker builds the ZIP; the member gets an e-mail with the "
            "download link and the request is completed."
        ),
    ),
    Step(
        "execute_erasure",
        _("Execute erasure"),
        "erase",
        lambda obj, user, data, base: dsr.dsr_erasure_execute(
            request=obj, actor=user, base_url=base
        ),
        lambda obj: (
            obj.kind == Kind.ERASURE and obj.status in WORKING and bool(obj.subject_id)
        ),
        danger=True,
        explain=_(
            "Erases the account and its personal data now, except what the law "
            "requires us to keep. This cannot be undone."
        ),
    ),
    Step(
        "apply_restriction",
        _("Apply restriction"),
        "restrict",
        lambda obj, user, data, base: dsr.dsr_restriction_apply(
            request=obj, actor=user, base_url=base
        ),
        lambda obj: (
            obj.kind == Kind.RESTRICTION
            and obj.status in WORKING
            and obj.restriction_applied_at is None
        ),
        explain=_("The member's data is kept but not used; the profile is hidden."),
    ),
    Step(
        "notify_restriction_lift",
        _("Tell the member the restriction will be lifted"),
        "restrict",
        lambda obj, user, data, base: dsr.dsr_restriction_lift_notify(
            request=obj, actor=user
        ),
        lambda obj: (
            obj.kind == Kind.RESTRICTION
            and obj.restriction_applied_at is not None
            and obj.restriction_lift_notified_at is None
            and obj.restriction_lifted_at is None
        ),
    ),
    Step(
        "lift_restriction",
        _("Lift restriction"),
        "restrict",
        lambda obj, user, data, base: dsr.dsr_restriction_lift(request=obj, actor=user),
        lambda obj: (
            obj.kind == Kind.RESTRICTION
            and obj.restriction_lift_notified_at is not None
            and obj.restriction_lifted_at is None
        ),
    ),
    Step(
        "extend",
        _("Extend the deadline"),
        "process",
        lambda obj, user, data, base: dsr.dsr_extend(
            request=obj,
            actor=user,
            months=data["months"],
            reason=data["reason"],
            base_url=base,
        ),
        lambda obj: obj.is_open,
        form=ExtendForm,
        explain=_("The requester is told the new date and your reason."),
    ),
    Step(
        "complete",
        _("Complete"),
        "process",
        lambda obj, user, data, base: dsr.dsr_complete(
            request=obj, actor=user, base_url=base
        ),
        _complete_offered,
        explain=_("The requester is told the request is complete."),
    ),
    Step(
        "reject",
        _("Reject"),
        "process",
        lambda obj, user, data, base: dsr.dsr_reject(
            request=obj, actor=user, reason=data["reason"]
        ),
        lambda obj: obj.is_open,
        form=ReasonForm,
        danger=True,
        explain=_(
            "The requester is told your reason and how to complain to the "
            "supervisory authority."
        ),
    ),
)

STEPS_BY_NAME = {step.name: step for step in STEPS}
