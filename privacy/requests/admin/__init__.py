"""The admin of data-subject requests: the queue (``queue``: list, filters,
read-only change page) and its steps as buttons on the change page
(``actions``: what is offered when, with confirmation); its JSON columns as
tables (``displays``)."""

from privacy.requests.admin.queue import (  # noqa: F401  (registers the admins)
    DataSubjectRequestAdmin,
    ExportArchiveAdmin,
)
