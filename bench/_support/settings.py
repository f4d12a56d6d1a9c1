"""The project's settings plus a benchmark-only URLconf (the bare baseline view).

Used by bench/pages.py for gunicorn and the in-process test client; the
project's own URLs stay untouched.
"""

from worksome.settings import *  # noqa: F403

ROOT_URLCONF = "bench._support.urls"
