"""Issue 20: sign-up with a role and a name, the role-aware dashboard, the
country and phone, the new profile fields (form, API, registry, pages), the
directory's filters and autocomplete, the profile's way back and call to
action, and the company page's members."""

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from privacy.registry import personal_data
from profiles import services
from profiles.models import CompanyMembership, FreelancerProfile, User
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)
YESTERDAY = TODAY - dt.timedelta(days=1)


def _signup(client, **extra):
    data = {
        "role": "freelancer",
        "name": "Freja Jensen",
        "email": "freja.jensen@example.com",
        "password1": "a-Strong-pass-2026",
        "password2": "a-Strong-pass-2026",
        **extra,
    }
    return client.post(SIGNUP, data)


def _verify(client):
    message = mail.outbox[-1]
    link = re.search(r"(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    return client.post(link)


# --- 1. Sign-up ---


def test_signup_page_says_sign_up_and_asks_role_and_name(client):
    html = client.get(SIGNUP).content.decode()
    assert "<h1>Sign up</h1>" in html
    assert 'name="role"' in html and 'name="name"' in html
    for variant in ("Sign Up", "Signup", "Register", "Create account"):
        assert variant not in html


def test_freelancer_signup_keeps_name_and_role_and_starts_the_profile(client):
    assert _signup(client).status_code == 302
    user = User.objects.get(email="freja.jensen@example.com")
    assert (user.role, user.name) == ("freelancer", "Freja Jensen")
    profile = FreelancerProfile.objects.get(user=user)
    assert profile.full_name == "Freja Jensen"
    assert profile.published_at is None


def test_company_signup_makes_no_freelancer_profile(client):
    _signup(client, role="company", name="Carl Owner", email="carl@example.com")
    user = User.objects.get(email="carl@example.com")
    assert user.role == "company"
    assert not FreelancerProfile.objects.filter(user=user).exists()


def test_the_name_is_never_the_address_local_part(client):
    user = UserFactory(email="jens.hansen@example.com")
    profile = services.freelancer_profile_ensure(user=user)
    assert profile.full_name == ""
    assert "jens" not in profile.slug


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"role": ""}, "role"),
        ({"role": "admin"}, "role"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 151}, "name"),
    ],
)
def test_bad_signup_role_or_name_is_a_form_error(client, extra, field):
    response = _signup(client, **extra)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not User.objects.exists()


# --- 2. The dashboard ---


def test_freelancer_dashboard_after_verification_shows_the_checklist(client):
    _signup(client)
    response = _verify(client)
    assert response.status_code == 302
    html = client.get("/dashboard/").content.decode()
    assert "Profile 0% complete." in html
    assert "Still missing:" in html
    for step in ("profile", "photo", "cv", "skills", "publish"):
        assert f'data-step="{step}" data-done="0"' in html


def test_completeness_counts_what_is_done(client):
    profile = FreelancerProfileFactory(bio="About me", skills=["Python"])
    client.force_login(profile.user)
    board = client.get("/dashboard/").context["board"]
    done = {item.key for item in board.items if item.done}
    assert done == {"profile", "skills", "publish"}
    assert board.completeness == 60
    assert [item.key for item in board.missing] == ["photo", "cv"]


def test_company_owner_gets_the_company_checklist_not_create_profile(client):
    owner = UserFactory(role="company", name="Carl Owner")
    company = CompanyFactory(description="We build things")
    CompanyMembership.objects.create(company=company, user=owner, role="owner")
    client.force_login(owner)
    response = client.get("/dashboard/")
    html = response.content.decode()
    assert "Create profile" not in html
    assert f"Your company: {company.name}" in html
    items = {i.key: i.done for i in response.context["board"].companies[0].items}
    assert items == {"details": False, "cvr": False, "team": False}
    other = UserFactory()
    CompanyMembership.objects.create(company=company, user=other, role="member")
    company.verified_at = timezone.now()
    company.save()
    items = {
        i.key: i.done
        for i in client.get("/dashboard/").context["board"].companies[0].items
    }
    assert items["cvr"] is True and items["team"] is True


def test_company_signup_without_a_company_is_offered_to_create_one(client):
    user = UserFactory(role="company")
    client.force_login(user)
    html = client.get("/dashboard/").content.decode()
    assert "Create a company page" in html
    assert "Create profile" not in html


@pytest.mark.parametrize("companies", [1, 5])
def test_dashboard_query_count_is_constant(
    client, companies, django_assert_max_num_queries
):
    owner = UserFactory(role="company")
    for _ in range(companies):
        CompanyMembership.objects.create(
            company=CompanyFactory(), user=owner, role="owner"
        )
    FreelancerProfileFactory(user=owner, skills=["Python", "Go"])
    client.force_login(owner)
    client.get("/dashboard/")
    with django_assert_max_num_queries(12):
        response = client.get("/dashboard/")
    assert len(response.context["board"].companies) == companies


# --- 3. Country and phone ---


def _edit(client, **fields):
    data = {"full_name": "Freja Jensen", "country": "DK", **fields}
    return client.post("/dashboard/profile/", data)


@pytest.fixture
def owner(client):
    profile = FreelancerProfileFactory(published=False, full_name="Freja Jensen")
    client.force_login(profile.user)
    return profile


def test_country_is_a_choice_with_denmark_first(client, owner):
    html = client.get("/dashboard/profile/").content.decode()
    select = html[html.index('name="country"') :]
    first = re.search(r'<option value="([A-Z]*)"', select).group(1)
    assert first == "DK"


@pytest.mark.parametrize("country", ["XX", "Denmark", "D"])
def test_a_country_that_does_not_exist_is_a_form_error(client, owner, country):
    response = _edit(client, country=country)
    assert response.status_code == 200
    assert response.context["form"].errors["country"]


def test_a_lower_case_code_is_the_same_country(client, owner):
    assert _edit(client, country="se").status_code == 302
    owner.refresh_from_db()
    assert owner.country == "SE"


def test_phone_is_stored_e164_and_shown_internationally(client, owner):
    assert _edit(client, phone="20 30 40 50").status_code == 302
    owner.refresh_from_db()
    assert str(owner.phone) == "+4520304050"
    company = CompanyFactory(phone="+4520304050")
    html = client.get(company.get_absolute_url()).content.decode()
    assert "+45 20 30 40 50" in html


def test_a_bad_phone_number_is_a_form_error(client, owner):
    response = _edit(client, phone="12")
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]


# --- 4. The new profile fields ---


GOOD = {
    "availability": "from",
    "available_from": TOMORROW.isoformat(),
    "rate_min": "600",
    "rate_max": "900",
    "languages": ["da", "en"],
    "years_experience": "7",
    "work_mode": "hybrid",
    "portfolio_links": "Shop redesign | https://example.com/shop\n"
    "Talk | https://example.com/talk",
}


def test_new_fields_are_saved_from_the_form(client, owner):
    response = _edit(client, **GOOD)
    assert response.status_code == 302, response.context["form"].errors
    owner.refresh_from_db()
    assert owner.available_from == TOMORROW
    assert (owner.rate_min, owner.rate_max) == (600, 900)
    assert owner.languages == ["da", "en"]
    assert owner.years_experience == 7
    assert owner.work_mode == "hybrid"
    assert owner.portfolio_links[0] == {
        "title": "Shop redesign",
        "url": "https://example.com/shop",
    }


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"rate_min": "900", "rate_max": "600"}, "rate_max"),
        ({"rate_min": "-5"}, "rate_min"),
        ({"languages": ["xx"]}, "languages"),
        ({"availability": "from", "available_from": YESTERDAY.isoformat()}, None),
        ({"availability": "from", "available_from": ""}, "available_from"),
        ({"availability": "soon"}, "availability"),
        ({"work_mode": "moon"}, "work_mode"),
        ({"years_experience": "abc"}, "years_experience"),
        ({"portfolio_links": "Shop | http://example.com/shop"}, "portfolio_links"),
        ({"portfolio_links": "no bar here"}, "portfolio_links"),
        ({"portfolio_links": " | https://example.com"}, "portfolio_links"),
        (
            {
                "portfolio_links": "\n".join(
                    f"L{i} | https://example.com/{i}" for i in range(6)
                )
            },
            "portfolio_links",
        ),
    ],
)
def test_bad_profile_input_is_a_form_error(client, owner, fields, error_field):
    response = _edit(client, **fields)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[error_field or "available_from"], errors


def test_the_publish_preview_and_public_page_show_the_new_fields(client, owner):
    _edit(client, **GOOD, headline="Developer")
    owner.refresh_from_db()
    preview = client.get("/dashboard/profile/publish/").content.decode()
    services.freelancer_publish(profile=owner, actor=owner.user)
    client.logout()
    public = client.get(owner.get_absolute_url()).content.decode()
    for html in (preview, public):
        assert 'data-field="availability"' in html
        assert "DKK 600–900 per hour" in html
        assert "Hybrid" in html
        assert "7 years" in html
        assert "Danish, English" in html
        assert 'href="https://example.com/shop"' in html


def test_new_fields_are_declared_exported_and_anonymised(owner):
    services.freelancer_profile_update(
        profile=owner,
        actor=owner.user,
        data={
            "rate_min": 500,
            "rate_max": 700,
            "languages": ["da"],
            "work_mode": "remote",
            "years_experience": 3,
            "availability": "now",
            "portfolio_links": [{"title": "A", "url": "https://example.com/a"}],
        },
    )
    declaration = personal_data.get(FreelancerProfile)
    row = declaration.export_row(FreelancerProfile.objects.get(pk=owner.pk))
    assert row["rate_min"] == 500 and row["languages"] == ["da"]
    assert row["portfolio_links"] == [{"title": "A", "url": "https://example.com/a"}]
    FreelancerProfile.objects.filter(pk=owner.pk).update(
        **declaration.anonymise_updates()
    )
    owner.refresh_from_db()
    assert owner.rate_min is None and owner.rate_max is None
    assert owner.languages == [] and owner.portfolio_links == []
    assert owner.work_mode == "" and owner.availability == ""
    assert owner.years_experience is None
    membership = personal_data.get(CompanyMembership)
    assert "show_on_page" in {f.name for f in membership.personal_fields()}
    user_decl = personal_data.get(User)
    assert "name" in {f.name for f in user_decl.personal_fields()}


def _patch(client, data):
    return client.patch(
        "/api/v1/me/profile/", json.dumps(data), content_type="application/json"
    )


def test_api_reads_and_writes_the_new_fields(client, owner):
    response = _patch(
        client,
        {
            "availability": "from",
            "available_from": TOMORROW.isoformat(),
            "rate_min": 500,
            "rate_max": 800,
            "languages": ["de"],
            "years_experience": 2,
            "work_mode": "remote",
            "portfolio_links": [{"title": "A", "url": "https://example.com/a"}],
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["languages"] == ["de"] and body["rate_max"] == 800
    assert body["status"] == "draft"
    assert body["portfolio_links"] == [{"title": "A", "url": "https://example.com/a"}]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rate_min": 900, "rate_max": 100}, "rate_max"),
        ({"languages": ["xx"]}, "languages"),
        (
            {"availability": "from", "available_from": YESTERDAY.isoformat()},
            "available_from",
        ),
        (
            {"portfolio_links": [{"title": "A", "url": "http://example.com"}]},
            "portfolio_links",
        ),
        (
            {"portfolio_links": [{"title": "", "url": "https://example.com"}]},
            "portfolio_links",
        ),
        ({"portfolio_links": "not a list"}, "portfolio_links"),
        ({"country": "XX"}, "country"),
        ({"phone": "12"}, "phone"),
        ({"work_mode": "moon"}, "work_mode"),
    ],
)
def test_api_bad_input_is_a_400_with_field_errors(client, owner, data, field):
    response = _patch(client, data)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors, errors


def test_a_restricted_owner_sees_restricted_never_published(client, owner):
    services.freelancer_publish(profile=owner, actor=owner.user)
    FreelancerProfile.objects.filter(pk=owner.pk).update(restricted_at=timezone.now())
    dashboard = client.get("/dashboard/").content.decode()
    page = client.get(owner.get_absolute_url()).content.decode()
    assert "Restricted" in dashboard and "Published" not in dashboard
    assert "Restricted" in page
    assert client.get("/api/v1/me/profile/").json()["status"] == "restricted"


# --- 5. The directory ---


@pytest.fixture
def directory(db):
    FreelancerProfileFactory(
        full_name="Ada Now",
        city="Aarhus",
        availability="now",
        rate_min=500,
        rate_max=700,
        languages=["da", "en"],
        work_mode="remote",
        skills=["Python"],
    )
    FreelancerProfileFactory(
        full_name="Bo Later",
        city="Odense",
        availability="from",
        available_from=TODAY + dt.timedelta(days=30),
        rate_min=900,
        rate_max=1200,
        languages=["de"],
        work_mode="onsite",
        skills=["Go"],
    )
    FreelancerProfileFactory(
        full_name="Cy Never", city="Aarhus", availability="not", skills=["Python"]
    )


def _names(response) -> list[str]:
    return re.findall(
        r'<h2><a href="[^"]+">([^<]+)</a></h2>', response.content.decode()
    )


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("skill=Python", {"Ada Now", "Cy Never"}),
        ("skill=python", {"Ada Now", "Cy Never"}),
        ("city=aarhus", {"Ada Now", "Cy Never"}),
        ("available=now", {"Ada Now"}),
        (
            f"available=by&available_by={(TODAY + dt.timedelta(days=40)).isoformat()}",
            {"Ada Now", "Bo Later"},
        ),
        ("rate_max=800", {"Ada Now"}),
        ("rate_min=800", {"Bo Later"}),
        ("rate_min=650&rate_max=1000", {"Ada Now", "Bo Later"}),
        ("language=de", {"Bo Later"}),
        ("work_mode=remote", {"Ada Now"}),
        ("skill=Python&available=now&language=en&work_mode=remote", {"Ada Now"}),
    ],
)
def test_directory_filters(client, directory, query, names):
    response = client.get(f"/freelancers/?{query}")
    assert response.status_code == 200
    assert set(_names(response)) == names


def test_directory_sorts_by_availability(client, directory):
    response = client.get("/freelancers/?sort=availability")
    assert _names(response) == ["Ada Now", "Bo Later", "Cy Never"]


@pytest.mark.parametrize(
    "query",
    [
        "rate_min=900&rate_max=100",
        "rate_min=abc",
        "language=xx",
        "work_mode=moon",
        "available=soon",
        "available=by&available_by=not-a-date",
        "available=by",
        "sort=random",
        "page=999",
        "skill=..%2F..%2Fetc",
        "rate_max=99999999999999999999",
        "available_by=2026-13-45",
        "q=" + "x" * 500,
    ],
)
def test_bad_directory_filters_are_ignored_and_reported(client, directory, query):
    response = client.get(f"/freelancers/?{query}")
    assert response.status_code == 200
    assert set(_names(response)) <= {"Ada Now", "Bo Later", "Cy Never"}


def test_a_reversed_rate_range_is_reported_beside_its_field(client, directory):
    html = client.get("/freelancers/?rate_min=900&rate_max=100").content.decode()
    assert "Ignored:" in html
    assert len(_names(client.get("/freelancers/?rate_min=900&rate_max=100"))) == 3


@pytest.mark.parametrize("count", [5, 40])
def test_filtered_directory_query_count_is_constant(
    client, count, django_assert_max_num_queries
):
    for i in range(count):
        FreelancerProfileFactory(
            availability="now",
            languages=["da"],
            work_mode="remote",
            rate_min=500,
            rate_max=800,
            postal_code="8000",
            skills=["Python", f"Skill{i % 7}"],
        )
    url = (
        "/freelancers/?skill=python&available=now&language=da&work_mode=remote"
        "&rate_min=400&rate_max=900&sort=availability&city=Aarhus"
        "&region=midtjylland"
    )
    client.get(url)
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.context["page"].paginator.count == count


def test_skill_suggest_returns_public_skill_names_by_prefix(client, directory):
    FreelancerProfileFactory(published=False, skills=["Pyramid"])
    response = client.get("/skills/suggest/?q=py")
    assert response.status_code == 200
    assert response.json() == {"skills": ["Python"]}
    assert client.get("/skills/suggest/?q=").json() == {"skills": []}
    assert client.get("/skills/suggest/?q=%00").status_code in (200, 400)
    assert client.get("/skills/suggest/?q=" + "p" * 500).status_code == 200


def test_skill_suggest_is_cached(client, directory, django_assert_num_queries):
    client.get("/skills/suggest/?q=Go")
    with django_assert_num_queries(0):
        assert client.get("/skills/suggest/?q=go").json() == {"skills": ["Go"]}


def test_directory_page_loads_the_autocomplete_script_from_our_own_static(
    client, directory
):
    html = client.get("/freelancers/").content.decode()
    assert 'list="skill-options"' in html
    assert re.search(r'<script src="/static/profiles/skill-suggest[^"]*\.js"', html)


# --- 6. The public profile ---


def test_the_profile_leads_back_to_the_results_with_their_filters(client, directory):
    profile = FreelancerProfile.objects.get(full_name="Ada Now")
    response = client.get(
        profile.get_absolute_url(),
        HTTP_REFERER="http://testserver/freelancers/?skill=python&available=now",
    )
    assert (
        'href="/freelancers/?skill=python&amp;available=now"'
        in response.content.decode()
    )
    other = client.get(
        profile.get_absolute_url(), HTTP_REFERER="https://evil.example/freelancers/?x"
    )
    assert 'href="/freelancers/" data-testid="back-to-results"' in (
        other.content.decode()
    )


def test_company_member_call_to_action(client):
    profile = FreelancerProfileFactory()
    member = UserFactory()
    company = CompanyFactory()
    CompanyMembership.objects.create(company=company, user=member, role="member")
    client.force_login(member)
    html = client.get(profile.get_absolute_url()).content.decode()
    assert 'disabled aria-describedby="inquiry-why"' in html
    company.verified_at = timezone.now()
    company.save()
    html = client.get(profile.get_absolute_url()).content.decode()
    assert f"/inquiries/new/{profile.slug}/" in html
    assert 'aria-describedby="inquiry-why"' not in html


# --- 7. The company page ---


def test_company_page_shows_only_members_who_chose_to(client):
    company = CompanyFactory(description="We build things", city="Aarhus")
    shy = UserFactory(name="Shy Member")
    proud = UserFactory(name="Proud Member")
    CompanyMembership.objects.create(company=company, user=shy, role="member")
    mine = CompanyMembership.objects.create(company=company, user=proud, role="owner")
    html = client.get(company.get_absolute_url()).content.decode()
    assert "We build things" in html and "Aarhus" in html
    assert "Proud Member" not in html and "Shy Member" not in html
    client.force_login(proud)
    response = client.post(f"/companies/{company.slug}/membership/show/", {"show": "1"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.show_on_page is True
    client.logout()
    html = client.get(company.get_absolute_url()).content.decode()
    assert "Proud Member" in html and "Shy Member" not in html


def test_membership_show_is_only_for_the_member_themself(client):
    company = CompanyFactory()
    owner = UserFactory(name="Owner")
    CompanyMembership.objects.create(company=company, user=owner, role="owner")
    outsider = UserFactory()
    client.force_login(outsider)
    response = client.post(f"/companies/{company.slug}/membership/show/", {"show": "1"})
    assert response.status_code == 404
    assert not CompanyMembership.objects.filter(show_on_page=True).exists()
    client.logout()
    response = client.post(f"/companies/{company.slug}/membership/show/", {"show": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_api_directory_takes_the_same_filters_and_ignores_bad_ones(client, directory):
    response = client.get("/api/v1/freelancers/?language=de&work_mode=onsite")
    assert response.status_code == 200
    assert [r["full_name"] for r in response.json()["results"]] == ["Bo Later"]
    bad = client.get("/api/v1/freelancers/?language=xx&rate_min=9&rate_max=1")
    assert bad.status_code == 200
    assert len(bad.json()["results"]) == 3
