"""``/privacy/email/...``: e-mail preferences and unsubscribe links."""

from django.urls import path

from consent import email_views

app_name = "consent"

urlpatterns = [
    path("email/", email_views.email_preferences, name="email_preferences"),
    path("email/open/<str:token>/", email_views.email_open, name="email_open"),
    path("unsubscribe/<str:token>/", email_views.unsubscribe, name="unsubscribe"),
]
