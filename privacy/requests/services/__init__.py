"""Data-subject requests: every write, from intake to the reply. The map.

Invariants, and how they hold:
- Every step is one transaction that locks the request row, checks the step
  is allowed from its current status, changes it and writes its audit event
  (target: the request); a refused step raises ValidationError and changes
  nothing (``workflow``).
- A request is acted on only once its requester is verified: by their session
  (a logged-in member) or by a single-use, expiring link sent to the address
  (only a hash of the link's token is stored) (``intake``).
- Intake never reveals whether an address has an account: an anonymous request
  is stored and its link sent whether or not the address is known.
- E-mail and tasks start only after commit (``transaction.on_commit``).
- Audit details hold ids, kinds and counts, never personal data.

Where each write lives (import them from here):

- intake and verification (``intake``): ``dsr_submit``,
  ``dsr_submit_anonymous``, ``dsr_verify_token``, ``dsr_verify``
- the workflow every request shares (``workflow``): ``dsr_start``,
  ``dsr_extend``, ``dsr_reject``, ``dsr_complete``; and the pieces the steps
  are made of: ``dsr_lock``, ``dsr_status_require``, ``dsr_audit_record``,
  ``dsr_progress_start``, ``dsr_finish``, ``dsr_recipients_notify``,
  ``dsr_verified_effects_apply``
- access and portability (``access``): ``dsr_export_request``
- restriction (``restriction``): ``dsr_restriction_apply``,
  ``dsr_restriction_lift_notify``, ``dsr_restriction_lift``
- erasure (``erasure``): ``dsr_erasure_execute``

Beside this package, in ``privacy.requests``: ``deadlines`` (due dates,
extensions, how long links last), ``notices`` (every mail, and the staff
digest ``dsr_digest_send``), ``export`` (the build of the ZIP,
``dsr_export_build``, run by a task), ``selectors`` (every read).
"""

from privacy.requests.services.access import dsr_export_request
from privacy.requests.services.erasure import dsr_erasure_execute
from privacy.requests.services.intake import (
    dsr_submit,
    dsr_submit_anonymous,
    dsr_verify,
    dsr_verify_token,
)
from privacy.requests.services.restriction import (
    dsr_restriction_apply,
    dsr_restriction_lift,
    dsr_restriction_lift_notify,
)
from privacy.requests.services.workflow import (
    dsr_audit_record,
    dsr_complete,
    dsr_extend,
    dsr_finish,
    dsr_lock,
    dsr_progress_start,
    dsr_recipients_notify,
    dsr_reject,
    dsr_start,
    dsr_status_require,
    dsr_verified_effects_apply,
)

__all__ = [
    # intake
    "dsr_submit",
    "dsr_submit_anonymous",
    "dsr_verify",
    "dsr_verify_token",
    # workflow
    "dsr_start",
    "dsr_extend",
    "dsr_reject",
    "dsr_complete",
    "dsr_lock",
    "dsr_status_require",
    "dsr_audit_record",
    "dsr_progress_start",
    "dsr_finish",
    "dsr_recipients_notify",
    "dsr_verified_effects_apply",
    # rights
    "dsr_export_request",
    "dsr_restriction_apply",
    "dsr_restriction_lift_notify",
    "dsr_restriction_lift",
    "dsr_erasure_execute",
]
