"""The REST API of profiles, by noun: the map (``worksome.api_urls`` imports
the views from here). Parse, call one service or selector, render.

- ``accounts``: the API's index and the member's account (``me/``)
- ``freelancers``: the directory and the member's own profile, photo and CV
- ``companies``: the company directory
- ``tokens``: issuing, listing and revoking API tokens
- ``fields``: serializer fields the others share
"""

from profiles.api.accounts import ApiRootView, MeView
from profiles.api.companies import CompanyDetailView, CompanyListView
from profiles.api.freelancers import (
    FreelancerDetailView,
    FreelancerListView,
    MyCvView,
    MyPhotoView,
    MyProfileView,
)
from profiles.api.tokens import MyTokenDetailView, MyTokenListView, TokenView

__all__ = [
    # accounts
    "ApiRootView",
    "MeView",
    # freelancers
    "FreelancerDetailView",
    "FreelancerListView",
    "MyCvView",
    "MyPhotoView",
    "MyProfileView",
    # companies
    "CompanyDetailView",
    "CompanyListView",
    # tokens
    "MyTokenDetailView",
    "MyTokenListView",
    "TokenView",
]
