import pytest


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.SITE_URL = "https://worksome.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
