"""The simpler search behind the same interface on SQLite (``make run``).

The fallback is plain ORM, so it runs on any database: here it is called
directly, and through ``freelancer_list_public`` when the tests run on SQLite
(``DATABASE_URL=sqlite:///...``).
"""

import pytest
from django.db import connection

from profiles import selectors
from profiles.models import FreelancerProfile
from profiles.search import _simple_search, freelancer_facets
from profiles.selectors.freelancers import _public_q
from tests.factories import FreelancerProfileFactory


@pytest.fixture
def few(db):
    return {
        "mette": FreelancerProfileFactory(
            full_name="Mette Sørensen",
            headline="Python-udvikler",
            city="Aarhus",
            skills=["Python", "Django"],
        ),
        "anna": FreelancerProfileFactory(
            full_name="Anna Holm",
            headline="UX-designer",
            city="Odense",
            bio="Brugercentreret design.",
            skills=["Figma"],
        ),
        "hidden": FreelancerProfileFactory(headline="Python-udvikler", published=False),
    }


def _public():
    return FreelancerProfile.objects.filter(_public_q())


def test_every_word_must_occur_in_a_published_field_or_skill(few):
    assert list(_simple_search(_public(), "python aarhus")) == [few["mette"]]
    assert list(_simple_search(_public(), "figma")) == [few["anna"]]
    assert list(_simple_search(_public(), "brugercentreret")) == [few["anna"]]
    assert list(_simple_search(_public(), "python odense")) == []


def test_the_fallback_never_finds_what_is_not_public_or_published(few):
    email = few["mette"].user.email
    assert list(_simple_search(_public(), email)) == []
    assert few["hidden"] not in _simple_search(_public(), "python")


def test_the_same_interface_on_sqlite(few):
    if connection.vendor != "sqlite":
        pytest.skip("runs through the selector only on SQLite (make run)")
    found = list(selectors.freelancer_list_public(q="udvikler"))
    assert found == [few["mette"]]
    facets = freelancer_facets(selectors.freelancer_list_public(q="udvikler"))
    assert dict(facets["cities"]) == {"Aarhus": 1}
