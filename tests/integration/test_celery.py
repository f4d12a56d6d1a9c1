import pytest
from django.db import connection

from core.tasks import ping

pytestmark = pytest.mark.integration


def test_a_real_worker_answers_ping_from_the_test_database(celery_worker_queue):
    result = ping.apply_async(queue=celery_worker_queue)
    answer = result.get(timeout=60)
    assert answer == {"pong": True, "database": connection.settings_dict["NAME"]}
    assert answer["database"].startswith("test_")
