"""``/cookies/``: django-cookie-consent's URL names, served by consent's views."""

from cookie_consent.views import CookieStatusView
from django.urls import path

from consent import views

urlpatterns = [
    path("accept/", views.CookieAcceptView.as_view(), name="cookie_consent_accept"),
    path("decline/", views.CookieDeclineView.as_view(), name="cookie_consent_decline"),
    path("choose/", views.CookieChooseView.as_view(), name="consent_choose"),
    path("status/", CookieStatusView.as_view(), name="cookie_consent_status"),
    path(
        "",
        views.CookieListView.as_view(),
        name="cookie_consent_cookie_group_list",
    ),
]
