"""The slugs in public URLs of freelancer profiles and company pages.

A slug is a readable base and a random suffix: it needs no uniqueness retry,
and it does not tell how many others share a name.
"""

from uuid import uuid4

from django.utils.text import slugify


def slug_generate(base: str) -> str:
    """A new slug from ``base`` (a name), with a random six-hex-digit suffix."""
    base = slugify(base)[:60] or "profile"
    return f"{base}-{uuid4().hex[:6]}"
