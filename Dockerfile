# syntax=docker/dockerfile:1

# --- Stage 1: build a virtualenv with the project and its pinned dependencies ---
# The newest Python that pyproject.toml allows (tests/test_deploy_files.py checks
# it); CI smoke-tests the pinned set on it (`make smoke`).
FROM python:3.13-slim AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /src
# pyproject.toml references README.md (project.readme), so the build needs it.
COPY pyproject.toml README.md ./
COPY worksome ./worksome
COPY core ./core
COPY privacy ./privacy
COPY consent ./consent
COPY profiles ./profiles
COPY engagements ./engagements
COPY opportunities ./opportunities
COPY support ./support
COPY mailings ./mailings
COPY compliance ./compliance
# Runtime dependencies only (no dev extra).
RUN pip install .

# --- Stage 2: runtime image -----------------------------------------------------
FROM python:3.13-slim

# PYTHONPATH=/app makes the source tree under /app win over the copy that
# `pip install .` put into site-packages, so BASE_DIR (templates, static, var)
# always resolves to /app.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:$PATH" \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=worksome.settings \
    STATIC_ROOT=/app/var/static \
    MEDIA_ROOT=/app/var/media \
    PRIVATE_MEDIA_ROOT=/app/var/private

RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
COPY manage.py gunicorn.conf.py ./
COPY worksome ./worksome
COPY core ./core
COPY privacy ./privacy
COPY consent ./consent
COPY profiles ./profiles
COPY engagements ./engagements
COPY opportunities ./opportunities
COPY support ./support
COPY mailings ./mailings
COPY compliance ./compliance
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# collectstatic needs settings to import with DEBUG off. The SECRET_KEY and
# FIELD_ENCRYPTION_KEYS below are throwaway BUILD-ONLY values, used solely for
# this collectstatic step: they are set for this one RUN command (not ENV), so
# they are not in the final image's environment. Real values come from .env.
# Static files stay root-owned (read-only for the app user); only var/ and
# var/media and var/private are writable by it.
RUN DJANGO_DEBUG=0 \
    SECRET_KEY=build-only-collectstatic-not-a-real-secret \
    FIELD_ENCRYPTION_KEYS=CkMTxLfTow3UjBIAuvsCpIKXZrwXppmLDt6KNv7CHTY= \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media /app/var/private \
    && chown app:app /app/var /app/var/media /app/var/private

USER app

EXPOSE 8000

# No HEALTHCHECK here: web, worker and beat share this image, so each service
# gets its own healthcheck in docker-compose.yml (web uses python's urllib;
# the slim image has no curl).
# gunicorn.conf.py binds 0.0.0.0:8000 with 2 workers and logs access through
# core.logging.GunicornLogger, which masks tokens, e-mails and CPR numbers.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "worksome.wsgi:application"]
