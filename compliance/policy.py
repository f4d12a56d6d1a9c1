"""The privacy policy as a product: versions, generated sections, change notices.

Every section of ``/privacy/`` except the editorial text of a ``PolicyVersion``
is read from the records the code itself uses: the controller from settings,
the data and retention periods from the registry and the ``RetentionPolicy``
rows the purge applies, purposes from ``ProcessingActivity``, sharing and
transfers from ``Processor``, cookies from consent's cookie catalogue. So the
policy cannot promise one thing while the code does another.

Invariants of the change notice (``policy_change_notify``):
- Nobody is e-mailed twice about one version: each (member, version) pair has
  one ``PolicyAcknowledgement`` row (unique constraint); a batch of rows
  without ``notified_at`` is claimed with ``SELECT ... FOR UPDATE SKIP
  LOCKED`` and marked in the same transaction, so concurrent workers never
  claim the same row and a re-run finds nothing left.
- Mail goes out after the batch commits. A send that raises clears that
  row's mark again, so a later run retries it; a worker killed between the
  commit and the send loses that batch's mails (at most once, never twice).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import html as html_module
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from compliance.models import (
    PolicyAcknowledgement,
    PolicyVersion,
    ProcessingActivity,
    Processor,
)
from consent.selectors import cookie_catalogue
from core.generations import generation
from privacy.facts import SUPERVISORY_AUTHORITY, controller
from privacy.models import RetentionPolicy
from privacy.registry import Action, personal_data
from privacy.retention import retention_rules
from privacy.services import audit_record

logger = logging.getLogger(__name__)

NOTIFY_BATCH_SIZE = 200

#: tracker id setting -> the key of the Processor that receives its data.
TRACKER_PROCESSORS = {
    "GA_MEASUREMENT_ID": "google",
    "META_PIXEL_ID": "meta",
    "TWITTER_PIXEL_ID": "x",
}

ACTION_DONE = {
    Action.ANONYMISE: gettext_lazy("anonymised"),
    Action.DELETE: gettext_lazy("deleted"),
}


# --- Selectors ------------------------------------------------------------------


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


CURRENT_VERSION_CACHE_KEY = "compliance:policy_version_current:v1"
# A version whose effective date arrives is picked up within this many seconds.
CURRENT_VERSION_CACHE_TIMEOUT = 60


def policy_version_current_label() -> str | None:
    """The name of the version in force, cached: the cookie banner asks on
    every page, so this costs no query on most of them."""
    label = cache.get(CURRENT_VERSION_CACHE_KEY)
    if label is None:
        current = policy_version_current()
        label = current.version if current is not None else ""
        cache.set(CURRENT_VERSION_CACHE_KEY, label, CURRENT_VERSION_CACHE_TIMEOUT)
    return label or None


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


#: Accounting records (invoices, payments) are kept this many years from the end
#: of the financial year they belong to (bogføringsloven § 12).
BOOKKEEPING_YEARS = 5


def duration_text(days: int) -> str:
    """A period in the active language: whole years, else days ("5 years",
    "1 day"; "5 år", "1 dag")."""
    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


@dataclass(frozen=True)
class RulePeriod:
    key: str
    model: str
    description: str
    days: int
    action: str
    enabled: bool

    @property
    def months(self) -> int | None:
        """Whole months when the period is a whole number of years, else None."""
        return self.days // 365 * 12 if self.days % 365 == 0 else None

    @property
    def duration(self) -> str:
        return duration_text(self.days)

    @property
    def text(self) -> str:
        """The one wording of a period, used by every table of the policy."""
        return _("%(duration)s after the purpose ends, then %(action)s") % {
            "duration": self.duration,
            "action": self.action,
        }


def retention_periods() -> dict[str, RulePeriod]:
    """Rule key -> the period the purge applies (the RetentionPolicy row's, or
    the rule's default until the purge has created the row)."""
    policies = {p.key: p for p in RetentionPolicy.objects.all()}
    periods = {}
    for rule in retention_rules():
        policy = policies.get(rule.key)
        periods[rule.key] = RulePeriod(
            key=rule.key,
            model=str(rule.model._meta.verbose_name).capitalize(),
            description=str(rule.retention.description),
            days=policy.period_days if policy else rule.retention.after.days,
            action=str(ACTION_DONE[rule.retention.action]),
            enabled=policy.enabled if policy else True,
        )
    return periods


def _declaration_periods(declaration, periods: dict[str, RulePeriod]) -> list:
    """Every period that applies to a declaration's rows: its own rule and the
    rules of its legal exceptions (the breach register has only the latter)."""
    keys = [declaration.retention.key] if declaration.retention else []
    keys += [e.retention.key for e in declaration.legal_exceptions if e.retention]
    return [periods[key] for key in keys if key in periods]


def data_collected(periods: dict[str, RulePeriod]) -> list[dict]:
    """The registry's declarations with the periods the purge really uses."""
    rows = []
    for declaration in personal_data.declarations():
        found = _declaration_periods(declaration, periods)
        rows.append(
            {
                "model": str(declaration.model._meta.verbose_name).capitalize(),
                "description": str(declaration.description),
                "fields": [
                    str(declaration.model._meta.get_field(spec.name).verbose_name)
                    for spec in declaration.personal_fields()
                ],
                "periods": found,
                "period": found[0] if found else None,
            }
        )
    return sorted(rows, key=lambda row: row["model"])


def processors_list() -> list[Processor]:
    return list(Processor.objects.all())


def activities_list(periods: dict[str, RulePeriod]) -> list[dict]:
    """Processing activities with their recipients, transfers and period."""
    activities = ProcessingActivity.objects.prefetch_related("recipients")
    result = []
    for activity in activities:
        recipients = list(activity.recipients.all())
        result.append(
            {
                "activity": activity,
                "recipients": recipients,
                "transfers": [p for p in recipients if p.is_transfer],
                "period": periods.get(activity.retention_key),
            }
        )
    return result


def activity_gaps(activity: ProcessingActivity, periods: dict[str, RulePeriod]):
    """What an entry of the record of processing lacks of purpose, legal basis
    and retention period (empty when complete)."""
    gaps = []
    if not (activity.purpose_en or "").strip():
        gaps.append("purpose")
    if activity.legal_basis not in ProcessingActivity.LegalBasis.values:
        gaps.append("legal basis")
    if activity.retention_key not in periods:
        gaps.append("retention period")
    return gaps


def cookie_groups() -> list:
    """consent's cookie groups with their cookies and vendor details."""
    return cookie_catalogue()


def policy_context(*, version: PolicyVersion | None = None) -> dict:
    """Everything ``compliance/policy.html`` renders (for ``version``, or the one
    in force)."""
    periods = retention_periods()
    processors = processors_list()
    activities = activities_list(periods)
    return {
        "bookkeeping_years": duration_text(BOOKKEEPING_YEARS * 365),
        "profiling": [e["activity"] for e in activities if e["activity"].profiling],
        "sources": [e["activity"] for e in activities if e["activity"].source],
        "joint_controllers": [p for p in processors if p.joint_controller],
        "version": version if version is not None else policy_version_current(),
        "controller": controller(),
        "authority": SUPERVISORY_AUTHORITY,
        "registry": data_collected(periods),
        "activities": activities,
        "processors": processors,
        "transfers": [p for p in processors if p.is_transfer],
        "cookie_groups": cookie_groups(),
        "retention": sorted(periods.values(), key=lambda p: (p.model, p.key)),
    }


# --- The rendered page ---------------------------------------------------------

POLICY_PAGE_GENERATION_KEY = "compliance:policy_page:generation"
# Writes that bypass model signals (QuerySet.update) show after at most this.
POLICY_PAGE_TTL = 600


def policy_body_html() -> str:
    """The policy's generated body, rendered once per change of its records.

    Keyed by the language, the version in force (its effective date arriving
    changes the key), the controller settings and a generation counter that
    saves and deletes of versions, retention policies, processors, activities
    and cookies move on (connected in ``PrivacyConfig.ready``). The body holds
    no personal data and nothing about the visitor (it is rendered without
    the request).
    """
    identity = repr(
        (
            get_language(),
            policy_version_current_label(),
            sorted(controller().items()),
            generation(POLICY_PAGE_GENERATION_KEY),
        )
    ).encode()
    key = f"compliance:policy_page:{hashlib.sha256(identity).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("compliance/_policy_body.html", policy_context())
        cache.set(key, html, POLICY_PAGE_TTL)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine above


def policy_version_render(*, version: PolicyVersion, language: str) -> str:
    """The whole policy as it reads with ``version``'s text and today's records,
    in ``language`` (what publishing stores)."""
    with translation.override(language):
        return render_to_string(
            "compliance/_policy_body.html", policy_context(version=version)
        ).strip()


def policy_version_snapshot(*, version: PolicyVersion) -> None:
    """Store the complete rendered policy of ``version`` in every language."""
    for language in POLICY_LANGUAGES:
        setattr(
            version,
            f"rendered_{language}",
            policy_version_render(version=version, language=language),
        )


POLICY_LANGUAGES = ("en", "da")
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|address|section|nav)>|<br\s*/?>", re.I)


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


# Unchanged words shown around each change; longer unchanged runs are cut.
DIFF_CONTEXT_WORDS = 12


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


def policy_drift(*, language: str = "en") -> dict | None:
    """Whether the policy as generated now differs from the latest published
    version's stored text: a processor, cookie, purpose or retention period
    changed since. None when they agree (or nothing is published)."""
    latest = policy_versions_published().first()
    if latest is None:
        return None
    with translation.override(language):
        stored = latest.rendered
    if not stored:
        return {"version": latest, "diff": [], "missing": True}
    now = policy_version_render(version=latest, language=language)
    if now == stored:
        return None
    return {
        "version": latest,
        "diff": text_diff_words(policy_html_text(stored), policy_html_text(now)),
        "missing": False,
    }


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


def ropa_rows() -> list[dict]:
    """The record of processing activities (Art. 30(1)) as flat rows."""
    periods = retention_periods()
    ctrl = controller()
    rows = []
    for entry in activities_list(periods):
        activity = entry["activity"]
        period = entry["period"]
        rows.append(
            {
                "controller": ctrl["name"],
                "controller_cvr": ctrl["cvr"],
                "controller_email": ctrl["email"],
                "purpose": activity.purpose,
                "description": activity.description,
                "legal_basis": activity.get_legal_basis_display(),
                "legal_basis_note": activity.legal_basis_note,
                "data_subjects": activity.data_subjects,
                "data_categories": activity.data_categories,
                "recipients": "; ".join(
                    f"{p.vendor} ({p.get_service_display()})"
                    for p in entry["recipients"]
                ),
                "transfers": "; ".join(
                    f"{p.vendor}: {p.country}, {p.get_transfer_basis_display()}"
                    for p in entry["transfers"]
                ),
                "retention_rule": activity.retention_key,
                "retention_days": period.days if period else None,
                "retention_action": period.action if period else "",
            }
        )
    return rows


# --- Services -------------------------------------------------------------------


def policy_version_publish(*, version: PolicyVersion, actor, base_url: str = ""):
    """Publish a version now; a significant one is announced to members.

    Publishing twice is refused, so the e-mail task is queued once.
    """
    # Function-local on purpose: the task module imports this one (tasks call
    # services); lint-imports ignores exactly this import (pyproject.toml).
    from compliance.tasks import policy_change_notify_task

    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.published_at is not None:
            raise ValidationError(
                _("Version %(v)s is already published."), params={"v": locked.version}
            )
        locked.published_at = timezone.now()
        # The complete text as published, generated sections included.
        policy_version_snapshot(version=locked)
        locked.save(
            update_fields=[
                "published_at",
                *(f"rendered_{language}" for language in POLICY_LANGUAGES),
            ]
        )
        audit_record(
            actor=actor,
            subject=None,
            action="policy.published",
            target=locked,
            details={"version": locked.version, "significant": locked.significant},
        )
        if locked.significant:
            transaction.on_commit(
                lambda: policy_change_notify_task.delay(
                    version_id=locked.pk, base_url=base_url
                )
            )
    version.published_at = locked.published_at
    return locked


def policy_acknowledge(*, user, version_id) -> PolicyAcknowledgement:
    """Record that the member saw the notice of a significant version."""
    try:
        version_id = int(version_id)
    except (TypeError, ValueError):
        raise ValidationError(_("Unknown policy version.")) from None
    version = (
        PolicyVersion.objects.filter(
            pk=version_id,
            significant=True,
            published_at__isnull=False,
            published_at__lte=timezone.now(),
        )
        .only("pk")
        .first()
    )
    if version is None:
        raise ValidationError(_("Unknown policy version."))
    with transaction.atomic():
        ack, _created = PolicyAcknowledgement.objects.get_or_create(
            user=user, version=version
        )
        if ack.acknowledged_at is None:
            ack.acknowledged_at = timezone.now()
            ack.save(update_fields=["acknowledged_at"])
    return ack


def _eligible_members(version: PolicyVersion) -> QuerySet:
    return get_user_model().objects.filter(
        is_active=True,
        closed_at__isnull=True,
        anonymised_at__isnull=True,
        date_joined__lt=version.published_at,
    )


def _create_missing_rows(version: PolicyVersion, batch_size: int) -> None:
    """One row per eligible member; existing rows (and their marks) stay."""
    members = _eligible_members(version).exclude(
        policy_acknowledgements__version=version
    )
    last_pk = None
    while True:
        page = members.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        ids = list(page.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        PolicyAcknowledgement.objects.bulk_create(
            [PolicyAcknowledgement(user_id=pk, version=version) for pk in ids],
            ignore_conflicts=True,
        )
        last_pk = ids[-1]


def _claim_batch(
    version: PolicyVersion, batch_size: int, failed: set[int]
) -> list[tuple[int, str, str]]:
    """Mark up to ``batch_size`` unnotified rows as notified; return (row,
    e-mail, the member's language).

    Rows whose send failed in this run are left for a later run.
    """
    with transaction.atomic():
        rows = list(
            PolicyAcknowledgement.objects.filter(
                version=version,
                notified_at__isnull=True,
                user__is_active=True,
                user__closed_at__isnull=True,
            )
            .exclude(pk__in=failed)
            .order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "user__email", "user__language")[:batch_size]
        )
        if rows:
            PolicyAcknowledgement.objects.filter(pk__in=[r[0] for r in rows]).update(
                notified_at=timezone.now()
            )
    return rows


def _message(
    version: PolicyVersion, to: str, language: str, base_url: str, connection
) -> EmailMessage:
    """The notice in the member's language (English when none is stored)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        url = f"{base_url.rstrip('/')}{reverse('compliance:policy')}"
        body = _(
            "We have changed our privacy policy (version %(version)s, in force from "
            "%(date)s).\n\nWhat changed:\n%(summary)s\n\nRead it here: %(url)s\n\n"
            "This is a service message: we send it to every member once, whatever "
            "your e-mail preferences.\n"
        ) % {
            "version": version.version,
            "date": formats.date_format(version.effective_date),
            "summary": version.summary or "-",
            "url": url,
        }
        subject = _("[Worksome] Our privacy policy has changed")
    return EmailMessage(subject, body, None, [to], connection=connection)


def policy_change_notify(
    *, version_id: int, base_url: str = "", batch_size: int = NOTIFY_BATCH_SIZE
) -> int:
    """E-mail every eligible member about a significant version, once. Returns
    the number of e-mails sent by this run."""
    version = PolicyVersion.objects.filter(
        pk=version_id, significant=True, published_at__isnull=False
    ).first()
    if version is None:
        return 0
    _create_missing_rows(version, batch_size)
    sent = 0
    failed: set[int] = set()
    connection = get_connection()
    while True:
        rows = _claim_batch(version, batch_size, failed)
        if not rows:
            return sent
        batch_failed = []
        for pk, email, language in rows:
            try:
                sent += _message(version, email, language, base_url, connection).send()
            except Exception:
                # One bad address must not stop the rest; a later run retries it.
                logger.exception("policy notice: sending failed")
                batch_failed.append(pk)
        if batch_failed:
            failed.update(batch_failed)
            PolicyAcknowledgement.objects.filter(pk__in=batch_failed).update(
                notified_at=None
            )
