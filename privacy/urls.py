"""``/privacy/requests/...``: data-subject requests and their export downloads."""

from django.urls import path

from privacy.requests import views

app_name = "privacy"

urlpatterns = [
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/status/", views.request_status, name="request_status"),
    path("requests/<int:pk>/download/", views.export_download, name="export_download"),
    path("requests/verify/<str:token>/", views.request_verify, name="request_verify"),
    path("exports/<str:token>/", views.export_download_token, name="export_token"),
]
