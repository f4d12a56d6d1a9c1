"""Fuzz every form field and URL parameter with control characters: no 5xx.

An automated sweep, not a hand list: every URL pattern of the URLconf (as in
the crawl) is fetched as each role; every form on every page is submitted
with each field carrying NUL, CR/LF and other control characters; every
query parameter those forms send, and every path parameter of the pattern,
is tried with them too. The admin's add forms are swept as the superuser.
"""

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import reverse

from tests.system.dataset import build_dataset
from tests.system.forms import page_forms
from tests.system.urls import admin_paths, site_paths, url_patterns

pytestmark = pytest.mark.django_db

PAYLOADS = ("a\x00b", "a\r\nBcc: x@example.com", "\x1b[31m\x07\x08", "a\x7f\x0b\x0cb")
QUOTED = ("a%00b", "a%0D%0Ab", "%1B%07", "a%7F%0Bb")
GENERIC_QUERY = ("q", "page", "next", "from", "skill", "city")


def request(client, method: str, path: str, data=None):
    with transaction.atomic():
        if method == "post":
            response = client.post(path, data or {})
        else:
            response = client.get(path, data or {})
        transaction.set_rollback(True)
    return response


def _sweep(client, paths: list[str]) -> tuple[int, list[str]]:
    sent, errors = 0, []

    def check(method, path, data=None):
        nonlocal sent
        sent += 1
        response = request(client, method, path, data)
        if response.status_code >= 500:
            errors.append(f"{response.status_code} {method.upper()} {path} {data!r}")
        return response

    for path in paths:
        page = request(client, "get", path)
        forms = []
        if page.get("Content-Type", "").startswith("text/html"):
            forms = page_forms(page.content.decode(errors="replace"))
        query_names = set(GENERIC_QUERY)
        for form in forms:
            target = form.action or path
            if not target.startswith("/"):
                continue
            if form.method == "get":
                query_names |= set(form.fields)
                continue
            for payload in PAYLOADS:
                data = {
                    name: (
                        value
                        if name in form.hidden and name == "csrfmiddlewaretoken"
                        else payload
                    )
                    for name, value in form.fields.items()
                }
                check("post", target, data)
        for payload in PAYLOADS:
            check("get", path, {name: payload for name in sorted(query_names)})
    return sent, errors


def _path_params_fuzzed(fills) -> list[str]:
    """Every parameterised pattern with each parameter set to a control character."""
    paths = []
    for name, _route, pattern in url_patterns():
        params = sorted(pattern.pattern.regex.groupindex)
        if not params or name is None:
            continue
        for param in params:
            for quoted in QUOTED:
                kwargs = {**fills.get(name, {}), param: "x"}
                try:
                    path = reverse(name, kwargs=kwargs)
                except Exception:  # noqa: BLE001, S112 - a converter refusing "x"
                    continue
                paths.append(
                    path.replace("/x/", f"/{quoted}/", 1)
                    if "/x/" in path
                    else path + quoted
                )
    return paths


@pytest.mark.parametrize(
    "role", ["anonymous", "freelancer", "company_owner", "superuser"]
)
def test_control_characters_in_every_field_and_parameter_never_give_a_5xx(role):
    data = build_dataset()
    client = data.client(role)
    fills = data.url_kwargs()
    paths, unfillable = site_paths(fills)
    assert unfillable == []
    if role == "superuser":
        paths += [p for p in admin_paths(admin.site)[0] if p.endswith("/add/")]
    sent, errors = _sweep(client, paths)
    for path in _path_params_fuzzed(fills):
        sent += 1
        response = request(client, "get", path)
        if response.status_code >= 500:
            errors.append(f"{response.status_code} GET {path}")
    print(f"{role}: {sent} fuzzed requests")
    assert errors == []
