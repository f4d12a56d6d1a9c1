"""Every write to tickets: intake, verification, replies, notes, assignment,
status, and the deletion of tickets nobody verified.

What must never happen, and how it is prevented:
- Staff reading a visitor's words before the visitor proved the address:
  a visitor's ticket is stored with ``verified_at`` NULL and only a hash of
  its link's token; staff see it (``selectors.ticket_queue``) once the
  single-use, expiring link was opened (checked again under the row lock).
  Unverified tickets are deleted, files included, once the link expired
  (``ticket_unverified_purge``, daily in beat).
- A flood: submissions are counted per client IP and per e-mail address
  (``settings.SUPPORT_RATE_LIMIT``) after the input was checked and before
  anything is stored; a refused one stores nothing (``SubmissionThrottled``).
- A file that is not what it says: the attachment goes through the CV checks
  (``profiles.uploads.validate_cv``: PDF or .docx by content, no active
  content, size cap) and is saved under a random name in private storage.
- An internal note reaching the member: notes are never mailed, and the
  member's pages read ``selectors.ticket_messages_for_member`` only.
- A staff action without a trace: every one writes its audit event in the
  transaction of the change (details name fields, never what was written).
- Mail sent for a change that rolled back: ``consent.mail.mail_send`` queues
  after commit.
"""

from support.services.desk import (
    ticket_assign,
    ticket_close,
    ticket_member_reply,
    ticket_note_add,
    ticket_reply,
    ticket_status_set,
)
from support.services.intake import (
    TOKEN_VALID_FOR,
    SubmissionThrottled,
    ticket_submit,
    ticket_unverified_purge,
    ticket_verify_token,
    tickets_for_address_erase,
)

__all__ = [
    "TOKEN_VALID_FOR",
    "SubmissionThrottled",
    "ticket_assign",
    "ticket_close",
    "ticket_member_reply",
    "ticket_note_add",
    "ticket_reply",
    "ticket_status_set",
    "ticket_submit",
    "ticket_unverified_purge",
    "ticket_verify_token",
    "tickets_for_address_erase",
]
