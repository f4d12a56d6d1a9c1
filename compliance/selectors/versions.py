"""Reads of the policy's versions: the one in force, the published ones, the
notice a member still has to acknowledge, and the word diff between two.

A published version is history: its stored rendering is what it said, so
the text and diff of old versions never change with today's records.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html as html_module
import re

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from compliance.models import PolicyAcknowledgement, PolicyVersion

CURRENT_VERSION_CACHE_KEY = "compliance:policy_version_current:v1"
# A version whose effective date arrives is picked up within this many seconds.
CURRENT_VERSION_CACHE_TIMEOUT = 60
# Unchanged words shown around each change; longer unchanged runs are cut.
DIFF_CONTEXT_WORDS = 12

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|address|section|nav)>|<br\s*/?>", re.I)


def policy_version_current(*, today: dt.date | None = None) -> PolicyVersion | None:
    """The version in force: the latest published one already effective."""
    today = today or timezone.localdate()
    return (
        PolicyVersion.objects.filter(
            published_at__isnull=False,
            published_at__lte=timezone.now(),
            effective_date__lte=today,
        )
        .order_by("-effective_date", "-published_at", "-pk")
        .first()
    )


def policy_version_current_label() -> str | None:
    """The name of the version in force, cached: the cookie banner asks on
    every page, so this costs no query on most of them."""
    label = cache.get(CURRENT_VERSION_CACHE_KEY)
    if label is None:
        current = policy_version_current()
        label = current.version if current is not None else ""
        cache.set(CURRENT_VERSION_CACHE_KEY, label, CURRENT_VERSION_CACHE_TIMEOUT)
    return label or None


# Connected when this module is imported (``ComplianceConfig.ready``); it only
# forgets the cached label, next to the key it forgets.
@receiver(post_save, sender=PolicyVersion, dispatch_uid="compliance.policy.cache")
@receiver(post_delete, sender=PolicyVersion, dispatch_uid="compliance.policy.cache_del")
def _policy_version_changed(sender, **kwargs) -> None:
    # Again after commit: a page rendered meanwhile may have cached the old one.
    cache.delete(CURRENT_VERSION_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CURRENT_VERSION_CACHE_KEY))


def policy_versions_published() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.filter(
        published_at__isnull=False, published_at__lte=timezone.now()
    ).order_by("-effective_date", "-published_at", "-pk")


def policy_version_get_published(*, version: str) -> PolicyVersion:
    """A published version by its name; ValidationError when there is none."""
    found = policy_versions_published().filter(version=version).first()
    if found is None:
        raise ValidationError(
            _("There is no published version %(v)s."), params={"v": version[:32]}
        )
    return found


def policy_notice_version(*, user) -> PolicyVersion | None:
    """The significant version a member still has to acknowledge, or None.

    The newest published significant version that is in force; members who
    joined after it was published saw it at sign-up and are not asked.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    version = (
        PolicyVersion.objects.filter(
            significant=True,
            published_at__isnull=False,
            published_at__lte=timezone.now(),
            effective_date__lte=timezone.localdate(),
        )
        .order_by("-effective_date", "-published_at", "-pk")
        .first()
    )
    if version is None or user.date_joined >= version.published_at:
        return None
    acknowledged = PolicyAcknowledgement.objects.filter(
        user=user, version=version, acknowledged_at__isnull=False
    ).exists()
    return None if acknowledged else version


# --- Text and diff ------------------------------------------------------------


def policy_html_text(html: str) -> str:
    """Readable plain text of a rendered policy: one line per block, words
    separated by single spaces."""
    text = _BLOCK_END.sub("\n", html)
    text = html_module.unescape(_TAG.sub(" ", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def policy_version_text(version: PolicyVersion) -> str:
    """The complete text of a version in the active language: its stored
    rendering, or only its editorial text for a version published before
    renderings were stored."""
    if version.rendered:
        return policy_html_text(version.rendered)
    blocks = [
        _("Version %(v)s, in force from %(date)s")
        % {"v": version.version, "date": formats.date_format(version.effective_date)}
    ]
    blocks += [getattr(version, name) for name in PolicyVersion.TEXT_BLOCKS]
    return "\n".join(block for block in blocks if block)


def _tokens(text: str) -> list[str]:
    # A line break is a token of its own, so paragraphs survive the diff.
    return re.findall(r"\n|[^\s]+", text)


def _join(tokens: list[str]) -> str:
    return " ".join(tokens).replace(" \n ", "\n").replace("\n ", "\n")


def text_diff_words(old: str, new: str) -> list[tuple[str, str]]:
    """A word-level diff: [(kind, text)], kind "=" (unchanged), "-" (removed),
    "+" (added) or "…" (unchanged words left out). Empty when equal."""
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.ratio() == 1.0:
        return []
    chunks: list[tuple[str, str]] = []
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            keep = DIFF_CONTEXT_WORDS
            if len(words) > keep * 2 + 1 or ((first or last) and len(words) > keep):
                head = [] if first else words[:keep]
                tail = [] if last else words[-keep:]
                if head:
                    chunks.append(("=", _join(head)))
                chunks.append(("…", "…"))
                if tail:
                    chunks.append(("=", _join(tail)))
            else:
                chunks.append(("=", _join(words)))
            continue
        if tag in ("replace", "delete"):
            chunks.append(("-", _join(a[i1:i2])))
        if tag in ("replace", "insert"):
            chunks.append(("+", _join(b[j1:j2])))
    return chunks


def policy_version_diff(*, old: PolicyVersion, new: PolicyVersion) -> list[tuple]:
    """The word-level diff of two versions' complete text, in the active
    language (see ``text_diff_words``)."""
    return text_diff_words(policy_version_text(old), policy_version_text(new))
