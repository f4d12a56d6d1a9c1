"""Every write of engagements, by noun; import from here.

- threads: ``inquiry_send``, ``message_send``, ``inquiry_accept``,
  ``inquiry_decline``, ``interest_express``, ``thread_read_mark``, ``company_block``,
  ``company_unblock``, ``thread_report``, ``thread_report_review``,
  ``thread_report_resolve``
- contracts: ``contract_propose``, ``contract_accept``, ``contract_decline``,
  ``engagement_end``
- hours: ``hours_report``, ``hours_approve``, ``hours_dispute``, ``week_start``
- invoices: ``invoice_issue``, ``invoice_credit``, ``invoice_mark_paid``,
  ``invoice_number_take``, ``invoices_due_engagement_ids``, ``month_period``,
  ``previous_month``
"""

from engagements.services.contracts import (
    contract_accept,
    contract_decline,
    contract_propose,
    engagement_end,
)
from engagements.services.hours import (
    hours_approve,
    hours_dispute,
    hours_report,
    week_start,
)
from engagements.services.invoices import (
    invoice_credit,
    invoice_issue,
    invoice_mark_paid,
    invoice_number_take,
    invoices_due_engagement_ids,
    month_period,
    previous_month,
)
from engagements.services.threads import (
    company_block,
    company_unblock,
    inquiry_accept,
    inquiry_decline,
    inquiry_send,
    interest_express,
    message_send,
    thread_read_mark,
    thread_report,
    thread_report_resolve,
    thread_report_review,
)

__all__ = [
    "company_block",
    "company_unblock",
    "contract_accept",
    "contract_decline",
    "contract_propose",
    "engagement_end",
    "hours_approve",
    "hours_dispute",
    "hours_report",
    "inquiry_accept",
    "inquiry_decline",
    "inquiry_send",
    "interest_express",
    "invoice_credit",
    "invoice_issue",
    "invoice_mark_paid",
    "invoice_number_take",
    "invoices_due_engagement_ids",
    "message_send",
    "month_period",
    "previous_month",
    "thread_read_mark",
    "thread_report",
    "thread_report_resolve",
    "thread_report_review",
    "week_start",
]
