"""Consent records: append-only writes, current state, versions, re-ask rules."""

import datetime as dt

import pytest
from cookie_consent.models import Cookie, CookieGroup
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from consent import selectors, services
from consent.hooks import consent_withdrawn_unregister, on_consent_withdrawn
from consent.models import ConsentRecord, ConsentVersion, CookieDetails, Purpose, Source
from consent.texts import cookie_notice_html
from tests.factories import UserFactory


def _publish_policy_version(version: str) -> None:
    """A new privacy policy version in force (what the banner cites)."""
    from compliance.models import PolicyVersion

    PolicyVersion.objects.create(
        version=version,
        effective_date=timezone.localdate(),
        published_at=timezone.now(),
    )


pytestmark = pytest.mark.usefixtures("catalogue")


def _choices(visitor_id):
    return selectors.cookie_choices(visitor_id=visitor_id)


# --- Append-only records and the current state -----------------------------------


def test_a_new_choice_is_appended_and_the_old_one_only_marked_superseded(visitor_id):
    first = services.consent_record(
        purpose=Purpose.COOKIES_ANALYTICS,
        granted=True,
        source=Source.BANNER,
        visitor_id=visitor_id,
    )
    before = ConsentRecord.objects.filter(pk=first.pk).values().get()
    second = services.consent_record(
        purpose=Purpose.COOKIES_ANALYTICS,
        granted=False,
        source=Source.SETTINGS,
        visitor_id=visitor_id,
    )
    after = ConsentRecord.objects.filter(pk=first.pk).values().get()
    assert ConsentRecord.objects.count() == 2
    assert after.pop("superseded_at") == second.created_at
    assert before.pop("superseded_at") is None
    assert after == before  # nothing else about the old record changed
    current = selectors.consent_current(visitor_id=visitor_id)
    assert current == {Purpose.COOKIES_ANALYTICS: second}
    assert _choices(visitor_id)["analytics"] is False


def test_a_record_is_complete(visitor_id):
    record = services.consent_record(
        purpose=Purpose.COOKIES_MARKETING,
        granted=True,
        source=Source.BANNER,
        visitor_id=visitor_id,
    )
    record.refresh_from_db()
    assert record.user is None
    assert record.visitor_id == visitor_id
    assert record.purpose == "cookies_marketing"
    assert record.granted is True
    assert record.source == "banner"
    assert record.created_at and record.decided_at
    assert record.superseded_at is None
    version = record.version
    assert len(version.digest) == 64
    assert "Worksome uses cookies" in version.text
    assert "Marketing:" in version.text
    assert version.policy_version == "1"
    assert (
        version.cookie_list_version == selectors.cookie_lists()["marketing"]["version"]
    )
    assert {c["name"] for c in version.cookie_list} >= {"_fbp", "fr"}


def test_profile_photo_consent_for_a_user_without_any_visitor_cookie(db):
    user = UserFactory()
    assert not selectors.consent_is_granted(purpose=Purpose.PROFILE_PHOTO, user=user)
    services.consent_record(
        purpose=Purpose.PROFILE_PHOTO,
        granted=True,
        source="profile",
        user=user,
        shown_text="I consent to publishing my photo.",
        actor=user,
    )
    assert selectors.consent_is_granted(purpose=Purpose.PROFILE_PHOTO, user=user)
    services.consent_record(
        purpose=Purpose.PROFILE_PHOTO, granted=False, source="profile", user=user
    )
    assert not selectors.consent_is_granted(purpose=Purpose.PROFILE_PHOTO, user=user)
    other = UserFactory()
    assert not selectors.consent_is_granted(purpose=Purpose.PROFILE_PHOTO, user=other)


def test_current_state_is_one_query(db, django_assert_max_num_queries, visitor_id):
    user = UserFactory()
    for granted in (True, False, True, True, False):
        services.consent_record(
            purpose=Purpose.MARKETING_EMAIL, granted=granted, source="api", user=user
        )
        services.consent_record(
            purpose=Purpose.COOKIES_ANALYTICS,
            granted=granted,
            source="banner",
            visitor_id=visitor_id,
        )
    selectors.cookie_lists()  # warm the shared cache, as in production
    with django_assert_max_num_queries(1):
        assert not selectors.consent_is_granted(
            purpose=Purpose.MARKETING_EMAIL, user=user
        )
    with django_assert_max_num_queries(1):
        assert not selectors.consent_is_granted(
            purpose=Purpose.COOKIES_ANALYTICS, visitor_id=visitor_id
        )
    with django_assert_max_num_queries(1):
        current = selectors.consent_current(user=user)
    assert list(current) == [Purpose.MARKETING_EMAIL]
    with django_assert_max_num_queries(1):
        assert selectors.cookie_choices(visitor_id=visitor_id)["analytics"] is False


def test_current_state_query_reads_the_partial_index(db):
    user = UserFactory()
    query = ConsentRecord.objects.filter(
        user=user, purpose=Purpose.PROFILE_PHOTO, superseded_at__isnull=True
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(explain + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "consent_current_user_purpose" in plan


def test_two_current_records_for_one_subject_and_purpose_are_impossible(visitor_id):
    record = services.consent_record(
        purpose=Purpose.COOKIES_ANALYTICS,
        granted=True,
        source="banner",
        visitor_id=visitor_id,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentRecord.objects.create(
            visitor_id=visitor_id,
            purpose=record.purpose,
            granted=False,
            source="banner",
            version=record.version,
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"purpose": "cookies_nonexistent", "visitor_id": "v" * 32},
        {"purpose": "no_such_purpose", "visitor_id": "v" * 32},
        {"purpose": Purpose.PROFILE_PHOTO, "visitor_id": "v" * 32},
        {"purpose": Purpose.COOKIES_ANALYTICS},
        {"purpose": Purpose.COOKIES_ANALYTICS, "source": "somewhere"},
    ],
)
def test_invalid_records_are_refused(db, kwargs):
    kwargs = {"granted": True, "source": "banner", **kwargs}
    with pytest.raises(ValueError):
        services.consent_record(**kwargs)
    assert not ConsentRecord.objects.exists()


def test_a_record_is_about_a_user_or_a_visitor_not_both(db, visitor_id):
    with pytest.raises(ValueError):
        services.consent_record(
            purpose=Purpose.MARKETING_EMAIL,
            granted=True,
            source="api",
            user=UserFactory(),
            visitor_id=visitor_id,
        )


def test_withdrawal_hooks_run_after_commit(db, django_capture_on_commit_callbacks):
    user = UserFactory()
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    on_consent_withdrawn(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.consent_record(
                purpose=Purpose.PROFILE_PHOTO, granted=True, source="profile", user=user
            )
            assert not callbacks
            record = services.consent_record(
                purpose=Purpose.PROFILE_PHOTO, granted=False, source="admin", user=user
            )
            assert received == []  # not before the commit
    finally:
        consent_withdrawn_unregister(receiver)
    assert len(received) == 1
    assert received[0]["record"] == record
    assert received[0]["purpose"] == Purpose.PROFILE_PHOTO
    assert received[0]["user"] == user
    assert received[0]["previously_granted"] is True


# --- Versions --------------------------------------------------------------------


def test_the_same_text_is_stored_once(visitor_id):
    for granted in (True, False, True):
        services.consent_record(
            purpose=Purpose.COOKIES_ANALYTICS,
            granted=granted,
            source="banner",
            visitor_id=visitor_id,
        )
    assert ConsentVersion.objects.count() == 1


def test_changing_the_banner_text_changes_the_recorded_version(
    settings, tmp_path, visitor_id
):
    before = services.consent_record(
        purpose=Purpose.COOKIES_ANALYTICS,
        granted=True,
        source="banner",
        visitor_id=visitor_id,
    )
    (tmp_path / "consent").mkdir()
    (tmp_path / "consent" / "notice_text.html").write_text(
        "<p>A reworded cookie notice.</p>"
    )
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    after = services.consent_record(
        purpose=Purpose.COOKIES_ANALYTICS,
        granted=True,
        source="banner",
        visitor_id=visitor_id,
    )
    assert after.version_id != before.version_id
    assert after.version.text.startswith("<p>A reworded cookie notice.</p>")
    # The banner shows the reworded text too.
    assert cookie_notice_html() == "<p>A reworded cookie notice.</p>"


def test_the_version_covers_the_policy_version(settings, db):
    user = UserFactory()
    first = services.consent_record(
        purpose=Purpose.MARKETING_EMAIL, granted=True, source="api", user=user
    )
    _publish_policy_version("2")
    second = services.consent_record(
        purpose=Purpose.MARKETING_EMAIL, granted=True, source="api", user=user
    )
    assert first.version_id != second.version_id
    assert second.version.policy_version == "2"


# --- Re-ask rules (one test each) ------------------------------------------------


@pytest.fixture
def accepted_all(visitor_id):
    services.consent_cookie_choices_record(
        choices={"analytics": True, "marketing": True},
        source="banner",
        visitor_id=visitor_id,
    )
    assert _choices(visitor_id) == {"analytics": True, "marketing": True}
    return visitor_id


def test_adding_a_cookie_to_a_group_asks_again(accepted_all):
    group = CookieGroup.objects.get(varname="analytics")
    Cookie.objects.create(cookiegroup=group, name="_gnew", description="Visit id")
    assert _choices(accepted_all) == {"analytics": None, "marketing": True}


def test_removing_a_cookie_from_a_group_asks_again(accepted_all):
    Cookie.objects.get(name="_twclid").delete()
    assert _choices(accepted_all) == {"analytics": True, "marketing": None}


def test_changing_a_cookies_purpose_text_asks_again(accepted_all):
    details = CookieDetails.objects.get(cookie__name="_ga")
    details.purpose = "Counts visitors and builds audiences for ads."
    details.save()
    assert _choices(accepted_all) == {"analytics": None, "marketing": True}


def test_a_new_policy_version_asks_again(accepted_all, settings):
    _publish_policy_version("2")
    assert _choices(accepted_all) == {"analytics": None, "marketing": None}


def test_choices_lapse_after_the_configured_interval(accepted_all, settings):
    settings.CONSENT_MAX_AGE_DAYS = 30
    ConsentRecord.objects.update(decided_at=timezone.now() - dt.timedelta(days=31))
    assert _choices(accepted_all) == {"analytics": None, "marketing": None}
    settings.CONSENT_MAX_AGE_DAYS = 365
    assert _choices(accepted_all) == {"analytics": True, "marketing": True}


def test_a_refusal_is_not_asked_again_when_the_list_changes(visitor_id, settings):
    services.consent_cookie_choices_record(
        choices={"analytics": False, "marketing": False},
        source="banner",
        visitor_id=visitor_id,
    )
    Cookie.objects.get(name="_twclid").delete()
    _publish_policy_version("2")
    assert _choices(visitor_id) == {"analytics": False, "marketing": False}


def test_django_cookie_consent_alone_would_not_have_asked_again(accepted_all):
    """Its version is the newest cookie's timestamp: a removal goes unnoticed."""
    group = CookieGroup.objects.get(varname="marketing")
    library_version_before = group.get_version()
    Cookie.objects.get(name="fr").delete()
    group = CookieGroup.objects.get(varname="marketing")
    assert group.get_version() == library_version_before
    assert _choices(accepted_all)["marketing"] is None


# --- Linking at login ------------------------------------------------------------


def test_linking_copies_the_visitors_newer_choices_to_the_user(visitor_id):
    user = UserFactory()
    services.consent_cookie_choices_record(
        choices={"analytics": True, "marketing": False},
        source="banner",
        visitor_id=visitor_id,
    )
    visitor_records = selectors.consent_current(visitor_id=visitor_id)
    linked = services.consent_visitor_link(user=user, visitor_id=visitor_id)
    assert len(linked) == 2
    assert selectors.cookie_choices(user=user) == {
        "analytics": True,
        "marketing": False,
    }
    for record in linked:
        original = visitor_records[record.purpose]
        assert record.source == Source.LOGIN_LINK
        assert record.version_id == original.version_id
        assert record.decided_at == original.decided_at
    # The visitor's own records are untouched.
    assert selectors.consent_current(visitor_id=visitor_id) == visitor_records


def test_linking_keeps_a_newer_choice_of_the_user(visitor_id):
    user = UserFactory()
    services.consent_cookie_choices_record(
        choices={"analytics": True}, source="banner", visitor_id=visitor_id
    )
    services.consent_cookie_choices_record(
        choices={"analytics": False}, source="settings", user=user
    )
    assert services.consent_visitor_link(user=user, visitor_id=visitor_id) == []
    assert selectors.cookie_choices(user=user)["analytics"] is False


def test_a_committed_version_is_reused_without_a_query(
    visitor_id, django_capture_on_commit_callbacks, django_assert_num_queries
):
    def record(granted):
        return services.consent_record(
            purpose=Purpose.COOKIES_ANALYTICS,
            granted=granted,
            source=Source.BANNER,
            visitor_id=visitor_id,
        )

    with django_capture_on_commit_callbacks(execute=True):
        first = record(True)
    # Again: no version query, no SELECT of the previous record for a grant.
    # UPDATE (supersede) and INSERT, inside the two savepoints (with RELEASE)
    # that the service's transaction and its retry point are in a test.
    with django_assert_num_queries(6):
        second = record(True)
    assert second.version_id == first.version_id
    assert ConsentVersion.objects.count() == 1


def test_a_rolled_back_version_is_not_cached(visitor_id):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.consent_record(
            purpose=Purpose.COOKIES_ANALYTICS,
            granted=True,
            source=Source.BANNER,
            visitor_id=visitor_id,
        )
        raise RuntimeError  # the version row is rolled back with the record
    assert not ConsentVersion.objects.exists()
    record = services.consent_record(
        purpose=Purpose.COOKIES_ANALYTICS,
        granted=True,
        source=Source.BANNER,
        visitor_id=visitor_id,
    )
    assert ConsentVersion.objects.filter(digest=record.version_id).exists()


def test_a_cached_version_belongs_to_its_database(
    db, monkeypatch, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Two databases may share one cache (the benchmarks do): a version cached
    for one must not be cited by records in another."""
    purpose = Purpose.COOKIES_ANALYTICS
    with django_capture_on_commit_callbacks(execute=True):
        services.consent_version_get_or_create(purpose=purpose)
    with django_assert_num_queries(0):
        services.consent_version_get_or_create(purpose=purpose)
    monkeypatch.setitem(connection.settings_dict, "NAME", "another_database")
    with django_assert_num_queries(1):  # read from this database, not the cache
        services.consent_version_get_or_create(purpose=purpose)
