"""``/api/v1/``: inquiries, contracts, hours and invoices, for their two
parties. By noun: the map (``worksome.api_urls`` imports the views from here).
One view per operation; the shapes are in ``engagements.serializers``.

Every object is found through a ``selectors.*_get_for_user``, which answers
404 to anyone but the freelancer and the company's members, so ids cannot be
probed. A party asking for what only the other party may do (the company
accepting a contract, the freelancer approving hours) can see the object, so
the answer is the service's refusal: 400 with the reason, not a 404 that
would pretend the object is not there. Bad input is a 400 with field errors
and stores nothing.

- ``threads``: inquiries, messages, accept, decline, report
- ``contracts``: proposals, new versions, reading, accepting, declining
- ``engagements``: engagements and the hours reported on them
- ``invoices``: invoices and credit notes
- ``base``: error shapes, input parsing, service refusals as 400
"""

from engagements.api.contracts import (
    ContractAcceptView,
    ContractDeclineView,
    ContractDetailView,
    EngagementContractView,
    ThreadContractView,
)
from engagements.api.engagements import (
    EngagementDetailView,
    EngagementHoursView,
    EngagementListView,
    HoursApproveView,
    HoursDisputeView,
)
from engagements.api.invoices import InvoiceDetailView, InvoiceListView
from engagements.api.threads import (
    ThreadAcceptView,
    ThreadDeclineView,
    ThreadDetailView,
    ThreadListView,
    ThreadMessageView,
    ThreadReportView,
)

__all__ = [
    # threads
    "ThreadAcceptView",
    "ThreadDeclineView",
    "ThreadDetailView",
    "ThreadListView",
    "ThreadMessageView",
    "ThreadReportView",
    # contracts
    "ContractAcceptView",
    "ContractDeclineView",
    "ContractDetailView",
    "EngagementContractView",
    "ThreadContractView",
    # engagements and hours
    "EngagementDetailView",
    "EngagementHoursView",
    "EngagementListView",
    "HoursApproveView",
    "HoursDisputeView",
    # invoices
    "InvoiceDetailView",
    "InvoiceListView",
]
