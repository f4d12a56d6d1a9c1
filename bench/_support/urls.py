"""worksome.urls plus ``/bench/bare/``: the baseline the page benchmarks divide by.

The bare view renders a constant page in the site layout (base.html, so the
consent banner and the middleware stack are included) and touches no model:
what a page costs beyond it is the page's own work.
"""

from functools import cache

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

BARE_TEMPLATE = (
    '{% extends "base.html" %}'
    "{% block head_title %}Bench{% endblock %}"
    "{% block content %}<h1>Bench</h1><p>A constant page.</p>{% endblock %}"
)


@cache
def _bare_template():
    return engines["django"].from_string(BARE_TEMPLATE)


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_bare_template().render(request=request))


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("worksome.urls")),
]
