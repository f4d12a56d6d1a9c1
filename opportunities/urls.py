from django.urls import path

from opportunities import views

app_name = "opportunities"

urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("new/", views.opportunity_new, name="new"),
    path("alerts/", views.alerts, name="alerts"),
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("<int:pk>/close/", views.opportunity_close, name="close"),
    path("<int:pk>/interest/", views.opportunity_interest, name="interest"),
]
