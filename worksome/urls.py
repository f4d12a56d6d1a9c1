from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import views
from profiles import views as profiles_views

urlpatterns = [
    path("", profiles_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    # set_language, for the footer's language switcher; URLs carry no language.
    # A member's choice is also stored for their e-mails (profiles' wrapper).
    path("i18n/setlang/", profiles_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # django-cookie-consent's URL names, served by consent's views.
    path("cookies/", include("consent.urls")),
    path("privacy/", include("compliance.urls")),
    path("privacy/", include("privacy.urls")),
    path("privacy/", include("consent.email_urls")),
    path("", include("engagements.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("support/", include("support.urls")),
    path("messages/", include("mailings.urls")),
    path("", include("profiles.urls")),
    # Photos and logos through a view that checks they may be seen (never as
    # plain media files, even in development).
    path(
        f"{settings.MEDIA_URL.lstrip('/')}photos/<path:name>",
        profiles_views.photo_file,
        name="photo_file",
    ),
    path("api/v1/", include("worksome.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]

# allauth's own rate limits answer through this (429 with Retry-After).
handler429 = "core.views.too_many_requests"
# Outside DRF's views (an unmatched /api/ path, a crash) the API still answers
# JSON in its error shape.
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
