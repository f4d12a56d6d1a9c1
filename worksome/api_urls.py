from django.urls import path

from consent import api as consent_api
from engagements import api as engagements_api
from opportunities import api as opportunities_api
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
    # Engagements: inquiries, contracts, hours, invoices (their two parties).
    path(
        "threads/",
        engagements_api.ThreadListView.as_view(),
        name="thread-list",
    ),
    path(
        "threads/<int:pk>/",
        engagements_api.ThreadDetailView.as_view(),
        name="thread-detail",
    ),
    path(
        "threads/<int:pk>/messages/",
        engagements_api.ThreadMessageView.as_view(),
        name="thread-messages",
    ),
    path(
        "threads/<int:pk>/accept/",
        engagements_api.ThreadAcceptView.as_view(),
        name="thread-accept",
    ),
    path(
        "threads/<int:pk>/decline/",
        engagements_api.ThreadDeclineView.as_view(),
        name="thread-decline",
    ),
    path(
        "threads/<int:pk>/report/",
        engagements_api.ThreadReportView.as_view(),
        name="thread-report",
    ),
    path(
        "threads/<int:pk>/contract/",
        engagements_api.ThreadContractView.as_view(),
        name="thread-contract",
    ),
    path(
        "engagements/",
        engagements_api.EngagementListView.as_view(),
        name="engagement-list",
    ),
    path(
        "engagements/<int:pk>/",
        engagements_api.EngagementDetailView.as_view(),
        name="engagement-detail",
    ),
    path(
        "engagements/<int:pk>/contract/",
        engagements_api.EngagementContractView.as_view(),
        name="engagement-contract",
    ),
    path(
        "engagements/<int:pk>/hours/",
        engagements_api.EngagementHoursView.as_view(),
        name="engagement-hours",
    ),
    path(
        "contracts/<int:pk>/",
        engagements_api.ContractDetailView.as_view(),
        name="contract-detail",
    ),
    path(
        "contracts/<int:pk>/accept/",
        engagements_api.ContractAcceptView.as_view(),
        name="contract-accept",
    ),
    path(
        "contracts/<int:pk>/decline/",
        engagements_api.ContractDeclineView.as_view(),
        name="contract-decline",
    ),
    path(
        "hours/<int:pk>/approve/",
        engagements_api.HoursApproveView.as_view(),
        name="hours-approve",
    ),
    path(
        "hours/<int:pk>/dispute/",
        engagements_api.HoursDisputeView.as_view(),
        name="hours-dispute",
    ),
    path(
        "invoices/",
        engagements_api.InvoiceListView.as_view(),
        name="invoice-list",
    ),
    path(
        "invoices/<int:pk>/",
        engagements_api.InvoiceDetailView.as_view(),
        name="invoice-detail",
    ),
]

# Opportunities: public listing and detail; posting and closing for members.
urlpatterns += [
    path(
        "opportunities/",
        opportunities_api.OpportunityListView.as_view(),
        name="opportunity-list",
    ),
    path(
        "opportunities/<int:pk>/",
        opportunities_api.OpportunityDetailView.as_view(),
        name="opportunity-detail",
    ),
    path(
        "opportunities/<int:pk>/close/",
        opportunities_api.OpportunityCloseView.as_view(),
        name="opportunity-close",
    ),
]
