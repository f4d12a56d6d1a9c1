import pytest


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.SITE_URL = "https://worksome.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAILING_PAGE_SIZE = 50
    settings.MAILING_RATE_PER_SECOND = 1000.0
