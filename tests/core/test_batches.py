"""core.batches: claim a batch under SKIP LOCKED, send after commit, unclaim
what failed. The jobs that use it (policy notice, breach reminder) test their
own outcomes in tests/compliance; these test the guarantees themselves.

``FileDeletion`` stands in for any row with a "sent" mark: ``attempts`` 0 is
unsent, 1 is claimed.
"""

import threading

import pytest
from django.db import connection

from core.batches import claim_and_send, send_each
from core.models import FileDeletion
from tests.integration.conftest import unavailable

pytestmark = pytest.mark.django_db(transaction=True)


def _rows(n: int) -> list[str]:
    FileDeletion.objects.bulk_create(
        [FileDeletion(storage="default", name=f"row-{i}") for i in range(n)]
    )
    return [f"row-{i}" for i in range(n)]


def _run(send, **kwargs) -> int:
    return claim_and_send(
        FileDeletion.objects.filter(attempts=0).order_by("pk"),
        claim={"attempts": 1},
        unclaim={"attempts": 0},
        send=send,
        label="test",
        **kwargs,
    )


def test_each_row_is_sent_once_after_its_claim_committed():
    names = _rows(5)
    seen = []

    def send(row) -> int:
        # Outside the claim's transaction, and the mark is already committed.
        assert not connection.in_atomic_block
        assert FileDeletion.objects.get(pk=row.pk).attempts == 1
        seen.append(row.name)
        return 1

    assert _run(send, batch_size=2) == 5
    assert seen == names
    assert _run(send, batch_size=2) == 0  # a re-run finds nothing left
    assert seen == names


def test_a_failed_send_is_unclaimed_for_the_next_run_and_not_retried_in_this_one():
    _rows(3)
    calls = []

    def send(row) -> int:
        calls.append(row.name)
        if row.name == "row-1":
            raise OSError("mail server down")
        return 1

    assert _run(send, batch_size=2) == 2
    assert calls == ["row-0", "row-1", "row-2"]
    assert FileDeletion.objects.get(name="row-1").attempts == 0
    calls.clear()
    assert _run(lambda row: calls.append(row.name) or 1) == 1
    assert calls == ["row-1"]


def test_on_claim_runs_inside_the_claim_and_a_failure_there_claims_nothing():
    _rows(2)

    def refuse(rows):
        assert connection.in_atomic_block
        raise RuntimeError("audit failed")

    with pytest.raises(RuntimeError):
        _run(lambda row: 1, on_claim=refuse)
    assert set(FileDeletion.objects.values_list("attempts", flat=True)) == {0}


def test_a_concurrent_run_skips_the_rows_another_run_has_locked():
    if connection.vendor != "postgresql":
        unavailable("SKIP LOCKED needs PostgreSQL (DATABASE_URL)")
    _rows(4)
    locked, release = threading.Event(), threading.Event()
    sent = {"a": [], "b": []}
    errors = []

    def hold_first_batch(rows) -> None:
        if not locked.is_set():
            locked.set()
            release.wait(30)  # the first batch stays locked, uncommitted

    def run(worker: str, **kwargs) -> None:
        try:
            _run(lambda row: sent[worker].append(row.name) or 1, **kwargs)
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            locked.set()
            connection.close()

    first = threading.Thread(
        target=run, args=("a",), kwargs={"batch_size": 2, "on_claim": hold_first_batch}
    )
    first.start()
    assert locked.wait(10)
    second = threading.Thread(target=run, args=("b",), kwargs={"batch_size": 2})
    second.start()
    # It must not wait for the first run's locks (held up to 30 s): it skips
    # those rows and is done long before.
    second.join(5)
    blocked = second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    assert not blocked
    assert not errors, errors
    assert sent == {"a": ["row-0", "row-1"], "b": ["row-2", "row-3"]}


def test_send_each_goes_on_after_a_failure_and_returns_it():
    def send(item: int) -> int:
        if item == 2:
            raise ValueError("bad address")
        return 1

    assert send_each([1, 2, 3], send, label="test") == (2, [2])
