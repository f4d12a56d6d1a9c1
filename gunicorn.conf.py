"""gunicorn settings shared by the Dockerfile and docker-compose.yml.

The access log goes through ``core.logging.GunicornLogger``, which masks
tokens, e-mail addresses and CPR numbers in every field (README: "no secret in
any log line"). Bind address and worker count can be overridden from the
environment (GUNICORN_BIND, WEB_CONCURRENCY) or the command line.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # noqa: S104 - in a container
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
errorlog = "-"
logger_class = "core.logging.GunicornLogger"
