from django.urls import path

from consent import api as consent_api
from privacy.requests import api as privacy_api
from profiles import api as profiles_api

app_name = "api"

urlpatterns = [
    path("", profiles_api.ApiRootView.as_view(), name="root"),
    path("auth/token/", profiles_api.TokenView.as_view(), name="token"),
    path("me/", profiles_api.MeView.as_view(), name="me"),
    path("me/tokens/", profiles_api.MyTokenListView.as_view(), name="my-tokens"),
    path(
        "me/tokens/<int:pk>/",
        profiles_api.MyTokenDetailView.as_view(),
        name="my-token-detail",
    ),
    path("consents/", consent_api.ConsentsView.as_view(), name="consents"),
    path(
        "privacy/requests/",
        privacy_api.DsrListView.as_view(),
        name="privacy-requests",
    ),
    path(
        "privacy/requests/<int:pk>/",
        privacy_api.DsrDetailView.as_view(),
        name="privacy-request-detail",
    ),
    path("me/profile/", profiles_api.MyProfileView.as_view(), name="my-profile"),
    path("me/profile/photo/", profiles_api.MyPhotoView.as_view(), name="my-photo"),
    path("me/profile/cv/", profiles_api.MyCvView.as_view(), name="my-cv"),
    path(
        "freelancers/",
        profiles_api.FreelancerListView.as_view(),
        name="freelancer-list",
    ),
    path(
        "freelancers/<slug:slug>/",
        profiles_api.FreelancerDetailView.as_view(),
        name="freelancer-detail",
    ),
    path("companies/", profiles_api.CompanyListView.as_view(), name="company-list"),
    path(
        "companies/<slug:slug>/",
        profiles_api.CompanyDetailView.as_view(),
        name="company-detail",
    ),
]
