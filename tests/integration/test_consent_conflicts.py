"""Two choices for the same visitor at the same moment, on real PostgreSQL.

The partial unique index allows one current record per subject and purpose.
When a concurrent choice commits first, the later one must be written on top
of it, not lost and not a 500: the cookie views own their transaction and
retry it whole; a write inside someone else's transaction retries in its own
savepoint.
"""

import threading

import pytest
from django.core.cache import caches
from django.db import connection, transaction

from compliance.seed import compliance_seed
from consent import services, web
from consent.models import ConsentRecord, Purpose, Source


@pytest.fixture
def seeded(postgres_db, transactional_db):
    compliance_seed()
    caches["consent"].clear()


def _first_choice_held_open(visitor_id: str, started, release, errors) -> None:
    """Another request: records a grant and keeps its transaction open."""
    try:
        with transaction.atomic():
            services.consent_record(
                purpose=Purpose.COOKIES_ANALYTICS,
                granted=True,
                source=Source.BANNER,
                visitor_id=visitor_id,
            )
            started.set()
            release.wait(10)
    except Exception as exc:  # noqa: BLE001 - reported to the test thread
        errors.append(exc)
    finally:
        started.set()
        connection.close()


@pytest.mark.parametrize("inside_another_transaction", [False, True])
def test_a_choice_that_loses_the_race_is_recorded_on_top(
    seeded, inside_another_transaction
):
    visitor_id = web.visitor_id_new()
    # The consent text version exists (committed) before the race, so the two
    # choices meet at the record's unique index, not at the version's.
    services.consent_version_get_or_create(purpose=Purpose.COOKIES_ANALYTICS)
    started, release, errors = threading.Event(), threading.Event(), []
    first = threading.Thread(
        target=_first_choice_held_open, args=(visitor_id, started, release, errors)
    )
    first.start()
    assert started.wait(10)
    result = {}

    def second_choice() -> None:
        try:

            def choose():
                return services.consent_cookie_choices_record(
                    choices={"analytics": False},
                    source=Source.BANNER,
                    visitor_id=visitor_id,
                )

            if inside_another_transaction:
                with transaction.atomic():
                    result["records"] = choose()
            else:
                result["records"] = choose()
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            result["error"] = exc
        finally:
            connection.close()

    second = threading.Thread(target=second_choice)
    second.start()
    # The second INSERT now waits on the first's uncommitted current record.
    second.join(0.5)
    assert second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    assert not errors and "error" not in result, (errors, result)
    records = ConsentRecord.objects.filter(
        visitor_id=visitor_id, purpose=Purpose.COOKIES_ANALYTICS
    ).order_by("created_at", "pk")
    assert [r.granted for r in records] == [True, False]
    current = records.filter(superseded_at__isnull=True).get()
    assert current.granted is False
    assert current.pk == result["records"][0].pk
