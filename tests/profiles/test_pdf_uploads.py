"""CV PDFs are parsed, not just sniffed: active content and non-PDFs are refused,
on the web form and the API alike, with a message in the member's language."""

import pytest
from rest_framework.test import APIClient

from profiles.uploads import validate_cv
from tests.profiles import upload_corpus as corpus

UNSAFE_EN = (
    "This PDF contains scripts, automatic actions or attached files and cannot "
    "be accepted; print it to a new PDF and upload that."
)
UNSAFE_DA = (
    "Denne PDF indeholder scripts, automatiske handlinger eller vedhæftede filer "
    "og kan ikke modtages; udskriv den til en ny PDF, og upload den."
)
UNREADABLE_EN = "This PDF could not be read; save it again as a PDF and upload that."
UNREADABLE_DA = "PDF-filen kunne ikke læses; gem den igen som PDF, og upload den."

HOSTILE = sorted(corpus.hostile_pdfs())
NOT_PDF = sorted(corpus.not_really_pdfs())


def _code(upload):
    try:
        validate_cv(upload)
    except Exception as exc:  # noqa: BLE001 - the test reads the code
        return getattr(exc, "code", type(exc).__name__)
    return None


@pytest.mark.parametrize("name", HOSTILE)
def test_pdf_with_active_content_is_refused(name):
    upload = corpus.hostile_pdfs()[name]
    assert _code(upload) == "unsafe_pdf"
    assert upload.tell() == 0


@pytest.mark.parametrize("name", NOT_PDF)
def test_file_with_pdf_magic_that_is_no_pdf_is_refused(name):
    assert _code(corpus.not_really_pdfs()[name]) == "invalid_pdf"


def test_password_protected_pdf_is_refused():
    assert _code(corpus.encrypted_pdf()) == "encrypted_pdf"


@pytest.mark.parametrize(
    "make_upload", [corpus.pdf_cv, corpus.pdf_with_link, corpus.pdf_written_by_pypdf]
)
def test_ordinary_pdfs_are_still_accepted(make_upload):
    assert validate_cv(make_upload()).extension == "pdf"


# --- Web form -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOSTILE)
def test_web_form_refuses_active_pdf_in_english(client, freelancer, name):
    client.force_login(freelancer.user)
    response = client.post(
        "/dashboard/profile/cv/", {"cv": corpus.hostile_pdfs()[name]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["cv"] == [UNSAFE_EN]
    freelancer.refresh_from_db()
    assert not freelancer.cv


@pytest.mark.django_db
def test_web_form_messages_are_danish_for_danish_members(client, freelancer):
    client.force_login(freelancer.user)
    hostile = corpus.hostile_pdfs()["open_action_javascript"]
    response = client.post(
        "/dashboard/profile/cv/", {"cv": hostile}, HTTP_ACCEPT_LANGUAGE="da"
    )
    assert response.context["form"].errors["cv"] == [UNSAFE_DA]
    html_pdf = corpus.not_really_pdfs()["html_prefixed"]
    response = client.post(
        "/dashboard/profile/cv/", {"cv": html_pdf}, HTTP_ACCEPT_LANGUAGE="da"
    )
    assert response.context["form"].errors["cv"] == [UNREADABLE_DA]
    freelancer.refresh_from_db()
    assert not freelancer.cv


@pytest.mark.django_db
def test_web_form_still_takes_a_clean_pdf(client, freelancer):
    client.force_login(freelancer.user)
    response = client.post("/dashboard/profile/cv/", {"cv": corpus.pdf_with_link()})
    assert response.status_code == 302
    freelancer.refresh_from_db()
    assert freelancer.cv


# --- API ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sample", "message"),
    [
        (lambda: corpus.hostile_pdfs()["hex_escaped_names"], UNSAFE_EN),
        (lambda: corpus.hostile_pdfs()["pypdf_attachment"], UNSAFE_EN),
        (lambda: corpus.not_really_pdfs()["html_prefixed"], UNREADABLE_EN),
        (lambda: corpus.not_really_pdfs()["html_after_padding"], UNREADABLE_EN),
    ],
)
def test_api_refuses_with_a_field_error(freelancer, sample, message):
    api = APIClient()
    api.force_authenticate(freelancer.user)
    response = api.post("/api/v1/me/profile/cv/", {"cv": sample()})
    assert response.status_code == 400
    assert response.json()["errors"]["cv"] == [message]
    freelancer.refresh_from_db()
    assert not freelancer.cv


@pytest.mark.django_db
def test_api_answers_in_danish(freelancer):
    api = APIClient()
    api.force_authenticate(freelancer.user)
    response = api.post(
        "/api/v1/me/profile/cv/",
        {"cv": corpus.hostile_pdfs()["launch"]},
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["cv"] == [UNSAFE_DA]


@pytest.mark.django_db
def test_api_still_takes_a_clean_pdf(freelancer):
    api = APIClient()
    api.force_authenticate(freelancer.user)
    response = api.post("/api/v1/me/profile/cv/", {"cv": corpus.pdf_written_by_pypdf()})
    assert response.status_code == 201
