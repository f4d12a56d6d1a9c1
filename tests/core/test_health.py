from django.db import OperationalError
from django.db.backends.utils import CursorWrapper


def test_healthz_reports_database_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_503_naming_the_database_when_it_fails(client, db, monkeypatch):
    def broken_execute(self, sql, params=None):
        raise OperationalError("connection refused")

    # Undone before pytest-django rolls the test transaction back.
    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", broken_execute)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


def test_healthz_refuses_writes(client, db):
    assert client.post("/healthz").status_code == 405
