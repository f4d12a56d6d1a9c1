"""The project's settings plus a benchmark-only URLconf (the bare baseline view).

Used by bench/pages.py for gunicorn and the in-process test client, and by
bench/invoicing.py (its document queue); the project's own URLs stay untouched.
"""

import os

from worksome.settings import *  # noqa: F403

ROOT_URLCONF = "bench._support.urls"

# bench/invoicing.py: the invoice run queues a document task per invoice after
# commit; routed to a queue no worker reads, so no PDF is built in its timing.
if _document_queue := os.environ.get("BENCH_DOCUMENT_QUEUE"):
    CELERY_TASK_ROUTES = {
        "engagements.tasks.invoice_document_send": {"queue": _document_queue}
    }
