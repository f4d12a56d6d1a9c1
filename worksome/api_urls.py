from django.urls import path

from profiles import api as profiles_api

app_name = "api"

urlpatterns = [
    path("", profiles_api.ApiRootView.as_view(), name="root"),
    path("me/", profiles_api.MeView.as_view(), name="me"),
]
