import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worksome.settings")

app = Celery("worksome")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Data-subject requests are a package of the privacy app, not an app of their own.
app.autodiscover_tasks(["privacy.requests"])
