"""Danish and English: the footer's switcher, the browser's language, and a
complete, compiled Danish catalogue for everything the project itself says."""

import ast
import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.factories import FreelancerProfileFactory, UserFactory

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
# Source the project owns; Django and allauth ship their own Danish.
OWN_SOURCES = (
    "templates/",
    "core/",
    "privacy/",
    "consent/",
    "profiles/",
    "engagements/",
    "opportunities/",
    "support/",
    "mailings/",
    "compliance/",
    "worksome/",
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\{\s*\w+\s*\}\}")


# --- A tiny .po reader (polib is not a dependency) -------------------------------


def _po_entries(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr forms, flags, references.

    Obsolete (``#~``) entries are skipped; the header (empty msgid) is kept.
    """
    entries, current, field = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current is not None and "msgid" in current:
                entries.append(current)
            current, field = None, None
            continue
        if current is None:
            current = {"flags": set(), "refs": [], "msgstr": {}}
        if line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,"):
            current["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#:"):
            current["refs"].extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field.startswith("msgstr"):
                current["msgstr"][field] += value
            else:
                current[field] += value
        else:
            field, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if field.startswith("msgstr"):
                current["msgstr"][field] = value
            else:
                current[field] = value
    return [e for e in entries if not e.get("obsolete")]


def _own_entries() -> list[dict]:
    return [
        e
        for e in _po_entries(PO_FILE)
        if e["msgid"] and any(ref.startswith(OWN_SOURCES) for ref in e["refs"])
    ]


def test_the_danish_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = _own_entries()
    assert len(entries) > 500  # the catalogue really was extracted
    untranslated = [
        e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"].values())
    ]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_every_string_the_source_marks_is_in_the_catalogue(tmp_path, settings):
    """The sources re-extracted now (``makemessages``, as the README says),
    merged into a copy of the catalogue, add nothing untranslated: a string
    marked in code or a template but never extracted fails here, not in a
    Danish member's browser. (A marker xgettext does not know, such as
    ``gettext_lazy as _lazy``, leaves a string out; use ``_`` or
    ``gettext_lazy``.)"""
    from django.core.management import call_command

    copy = tmp_path / "da" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    (copy / "django.po").write_bytes(PO_FILE.read_bytes())
    settings.LOCALE_PATHS = [str(tmp_path)]
    root = Path(settings.BASE_DIR)
    previous = Path.cwd()
    # makemessages also writes the project's own locale/ (it adds ./locale to
    # the paths it is given): put the catalogue back as it was.
    original = PO_FILE.read_bytes()
    try:
        import os

        os.chdir(root)
        call_command(
            "makemessages",
            locale=["da"],
            no_obsolete=True,
            ignore_patterns=[".venv*", "tests/*", "bench/*", "var/*", "locale/*"],
            verbosity=0,
        )
    finally:
        os.chdir(previous)
        PO_FILE.write_bytes(original)
    entries = [
        e
        for e in _po_entries(copy / "django.po")
        if e["msgid"] and any(ref.startswith(OWN_SOURCES) for ref in e["refs"])
    ]
    assert len(entries) > 500
    missing = [
        e["msgid"]
        for e in entries
        if "fuzzy" in e["flags"] or not all(s.strip() for s in e["msgstr"].values())
    ]
    assert missing == [], "run makemessages and translate these"


def test_plural_entries_have_both_danish_forms():
    plurals = [e for e in _own_entries() if "msgid_plural" in e]
    assert plurals
    for entry in plurals:
        assert set(entry["msgstr"]) == {"msgstr[0]", "msgstr[1]"}, entry["msgid"]


def test_translations_keep_every_placeholder():
    for entry in _own_entries():
        wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for text in entry["msgstr"].values():
            assert sorted(PLACEHOLDER.findall(text)) == wanted, entry["msgid"]


def test_the_compiled_catalogue_matches_the_po_file():
    """CI has no gettext: the committed .mo must hold what the .po says."""
    with MO_FILE.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for entry in _own_entries():
        if "msgid_plural" in entry:
            assert (
                catalog.ngettext(entry["msgid"], entry["msgid_plural"], 1)
                == (entry["msgstr"]["msgstr[0]"])
            ), entry["msgid"]
            assert (
                catalog.ngettext(entry["msgid"], entry["msgid_plural"], 5)
                == (entry["msgstr"]["msgstr[1]"])
            ), entry["msgid"]
        elif "msgctxt" in entry:
            assert (
                catalog.pgettext(entry["msgctxt"], entry["msgid"])
                == entry["msgstr"]["msgstr"]
            ), entry["msgid"]
        else:
            assert catalog.gettext(entry["msgid"]) == entry["msgstr"]["msgstr"], entry[
                "msgid"
            ]


# --- The switcher and the browser's language -------------------------------------


def _switch(client, language: str, next_url: str = "/"):
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


@pytest.mark.django_db
def test_every_page_has_a_labelled_language_switcher(client):
    html = client.get("/").content.decode()
    assert '<form method="post" action="/i18n/setlang/"' in html
    assert '<label for="language-select">Language</label>' in html
    assert '<select id="language-select" name="language">' in html
    assert '<option value="da" lang="da">Dansk</option>' in html
    assert '<option value="en" lang="en" selected>English</option>' in html


@pytest.mark.django_db
def test_a_member_switches_to_danish_and_pages_speak_danish(client):
    user = UserFactory(
        date_joined=timezone.make_aware(dt.datetime(2026, 3, 15, 12, 0)),  # noqa: DTZ001
    )
    FreelancerProfileFactory(full_name="Freja Dansk", skills=["Django"])
    client.force_login(user)

    response = _switch(client, "da", "/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "da"

    home = client.get("/").content.decode()
    assert '<html lang="da"' in home
    assert "Freelancere og de virksomheder, der har brug for dem" in home
    assert "Nyeste freelancere" in home
    assert "Privatlivspolitik" in home and "Skift sprog" in home
    assert '<option value="da" lang="da" selected>Dansk</option>' in home

    directory = client.get("/freelancers/").content.decode()
    assert "<h1>Freelancere</h1>" in directory
    assert "Søg efter navn eller kompetence" in directory
    assert "1 freelancer" in directory

    dashboard = client.get("/dashboard/").content.decode()
    assert "<h1>Min side</h1>" in dashboard
    assert "Din konto" in dashboard and "Medlem siden" in dashboard
    # Dates follow the language: Danish month names and order.
    assert "15. marts 2026" in dashboard

    policy = client.get("/privacy/").content.decode()
    assert "<h1>Privatlivspolitik</h1>" in policy
    assert "Hvem er ansvarlig for dine oplysninger" in policy
    assert "Dine rettigheder, og hvordan du bruger dem" in policy

    # And back to English.
    _switch(client, "en")
    dashboard = client.get("/dashboard/").content.decode()
    assert "<h1>Dashboard</h1>" in dashboard and "15 March 2026" in dashboard


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["da", "da-DK,da;q=0.9,en;q=0.8"])
def test_a_new_visitor_gets_the_language_of_the_browser(client, header):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=header).content.decode()
    assert '<html lang="da"' in html
    assert "Freelancere og de virksomheder, der har brug for dem" in html


@pytest.mark.django_db
def test_english_is_the_default(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="en"' in html
    assert "Freelancers and the companies that need them" in html


@pytest.mark.django_db
def test_the_chosen_language_wins_over_the_browser(client):
    _switch(client, "en")
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert '<html lang="en"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["xx", "", "da<script>", "x" * 500])
def test_an_unknown_language_keeps_english(client, language):
    response = _switch(client, language)
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html


@pytest.mark.django_db
def test_a_language_the_site_does_not_offer_keeps_english(client):
    """Django knows German, so set_language stores it; the site does not offer
    it (LANGUAGES), so pages stay English."""
    assert _switch(client, "de").status_code == 302
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="en"' in html
    assert "Freelancers and the companies that need them" in html


@pytest.mark.django_db
def test_the_switcher_does_not_redirect_off_site(client):
    response = _switch(client, "da", "https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_the_switcher_needs_a_csrf_token():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "da", "next": "/"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_form_errors_are_danish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    response = client.post("/privacy/requests/new/", {"email": "x@example.com"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hvad vil du have os til at gøre?" in html
    assert "Din e-mailadresse" in html
    assert "Dette felt er påkrævet." in html  # Django's own Danish


def test_translation_functions_are_imported_under_names_xgettext_knows(settings):
    """``makemessages`` finds ``_``, ``gettext``, ``gettext_lazy`` and the
    other functions by name: one imported under another name (``gettext as
    gettext_now``) marks strings that are never extracted, so they reach a
    Danish reader in English and the test above cannot see them."""
    import re

    known = {
        "_",
        "gettext",
        "gettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "npgettext",
        "npgettext_lazy",
        "gettext_noop",
    }
    alias = re.compile(r"\b(n?p?gettext(?:_lazy|_noop)?) as (\w+)")
    root = Path(settings.BASE_DIR)
    found = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in {".venv", "tests", "bench", "var", "node_modules"}:
            continue
        for function, name in alias.findall(path.read_text(encoding="utf-8")):
            if name not in known:
                found.append(f"{relative}: {function} as {name}")
    assert found == []
