"""Every write of opportunities, by noun; import from here.

- posting: ``opportunity_post``, ``opportunity_update``, ``opportunity_close``,
  ``opportunity_interest_express``, ``company_opportunities_anonymise``
- alerts: ``alert_save``
- fanout: ``deliveries_match``, ``deliveries_send_immediate``,
  ``opportunity_fanout_run``, ``digests_send``
"""

from opportunities.services.alerts import alert_save
from opportunities.services.fanout import (
    deliveries_match,
    deliveries_send_immediate,
    digests_send,
    opportunity_fanout_run,
)
from opportunities.services.posting import (
    company_opportunities_anonymise,
    opportunity_close,
    opportunity_interest_express,
    opportunity_post,
    opportunity_update,
)

__all__ = [
    "alert_save",
    "company_opportunities_anonymise",
    "deliveries_match",
    "deliveries_send_immediate",
    "digests_send",
    "opportunity_close",
    "opportunity_fanout_run",
    "opportunity_interest_express",
    "opportunity_post",
    "opportunity_update",
]
