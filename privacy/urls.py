from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.policy, name="policy"),
    path("versions/", views.policy_versions, name="policy_versions"),
    path(
        "versions/<str:version>/",
        views.policy_version_detail,
        name="policy_version_detail",
    ),
    path("acknowledge/", views.policy_acknowledge, name="policy_acknowledge"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/download/", views.export_download, name="export_download"),
    path("requests/verify/<str:token>/", views.request_verify, name="request_verify"),
    path("exports/<str:token>/", views.export_download_token, name="export_token"),
    path("email/", views.email_preferences, name="email_preferences"),
    path("email/open/<str:token>/", views.email_open, name="email_open"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
