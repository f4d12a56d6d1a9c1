"""``/privacy/``: the policy in force, its versions and the change notice."""

from django.urls import path

from compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.policy, name="policy"),
    path("versions/", views.policy_versions, name="policy_versions"),
    path(
        "versions/<str:version>/",
        views.policy_version_detail,
        name="policy_version_detail",
    ),
    path("acknowledge/", views.policy_acknowledge, name="policy_acknowledge"),
]
