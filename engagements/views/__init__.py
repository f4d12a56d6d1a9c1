"""The browser side of engagements, split by noun; ``engagements.urls`` reads
the names from here.

- threads: the inquiry form, the inbox, a thread and its actions, blocks
- contracts: proposing, reading, accepting and declining a contract, its PDF
- work: engagements, their hours and the on-demand invoice request
- invoices: the invoice list and page, the invoice PDF

Every page needs a login; every object is read through a ``*_for_user``
selector (404 for anyone not a party). Actions are POST only (405 otherwise);
a service's refusal is shown on the page it came from, with status 400.
"""

from engagements.views.contracts import (
    contract_accept,
    contract_decline,
    contract_detail,
    contract_new,
    contract_new_version,
    contract_pdf,
)
from engagements.views.invoices import invoice_detail, invoice_list, invoice_pdf
from engagements.views.threads import (
    block_list,
    company_unblock,
    inquiry_new,
    thread_accept,
    thread_block,
    thread_decline,
    thread_detail,
    thread_list,
    thread_reply,
    thread_report,
)
from engagements.views.work import (
    engagement_detail,
    engagement_end,
    engagement_list,
    hours_approve,
    hours_dispute,
    hours_new,
    invoice_request,
)

__all__ = [
    "block_list",
    "company_unblock",
    "contract_accept",
    "contract_decline",
    "contract_detail",
    "contract_new",
    "contract_new_version",
    "contract_pdf",
    "engagement_detail",
    "engagement_end",
    "engagement_list",
    "hours_approve",
    "hours_dispute",
    "hours_new",
    "inquiry_new",
    "invoice_detail",
    "invoice_list",
    "invoice_pdf",
    "invoice_request",
    "thread_accept",
    "thread_block",
    "thread_decline",
    "thread_detail",
    "thread_list",
    "thread_reply",
    "thread_report",
]
