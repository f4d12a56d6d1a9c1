from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/profile/", views.profile_edit, name="profile_edit"),
    path("dashboard/profile/photo/", views.profile_photo, name="profile_photo"),
    path("dashboard/profile/cv/", views.profile_cv, name="profile_cv"),
    path("dashboard/profile/publish/", views.profile_publish, name="profile_publish"),
    path("dashboard/profile/cpr/", views.profile_cpr_reveal, name="profile_cpr"),
    path("dashboard/shortlist/", views.shortlist, name="shortlist"),
    path("dashboard/close/", views.account_close, name="account_close"),
    path("dashboard/tokens/", views.api_tokens, name="api_tokens"),
    path(
        "dashboard/tokens/<int:pk>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("account/keep/<str:token>/", views.account_keep, name="account_keep"),
    path("freelancers/", views.freelancer_list, name="freelancer_list"),
    path("skills/suggest/", views.skill_suggest, name="skill_suggest"),
    path("freelancers/<slug:slug>/", views.freelancer_detail, name="freelancer_detail"),
    path(
        "freelancers/<slug:slug>/cv/",
        views.freelancer_cv_download,
        name="freelancer_cv",
    ),
    path(
        "freelancers/<slug:slug>/shortlist/",
        views.freelancer_shortlist,
        name="freelancer_shortlist",
    ),
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_create, name="company_create"),
    path(
        "companies/invitations/<str:token>/",
        views.company_invitation,
        name="company_invitation",
    ),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path("companies/<slug:slug>/edit/", views.company_edit, name="company_edit"),
    path("companies/<slug:slug>/invite/", views.company_invite, name="company_invite"),
    path(
        "companies/<slug:slug>/membership/show/",
        views.company_membership_show,
        name="company_membership_show",
    ),
]
