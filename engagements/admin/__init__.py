"""The admin of engagements: read-only records, changed only by actions that
call the services (which audit).

What must never happen, and how it is prevented:
- Staff reading a conversation outside an audited review: ``Message`` is not
  registered; the inquiry admin shows who, when and in which state, never the
  subject or a message (subject masked on its pages, lookups on ``subject``
  and ``messages`` refused); the only page with messages is the review of a
  reported inquiry, reached by POST, which calls
  ``services.thread_report_review`` (one audit event per person concerned).
- An issued invoice edited: every model here is view-only (no add, change or
  delete), so the change page has no Save buttons and a POST to it is a 403;
  payment and credit notes are actions calling ``invoice_mark_paid`` and
  ``invoice_credit``.
- A PDF served to staff without the view permission: the download views
  check it (403), and the file is read from private storage, never by URL.
"""

# Importing the modules registers their admins (admin.autodiscover imports
# this package).
from engagements.admin import contracts, invoices, threads

__all__ = ["contracts", "invoices", "threads"]
