"""The system check that keeps the personal-data registry complete."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from privacy.checks import check_personal_data
from privacy.registry import Action, Anonymise, PersonalData, Registry, Retention


def _ids(messages):
    return [m.id for m in messages]


@pytest.fixture
def throwaway_apps():
    with isolate_apps("privacy") as apps:
        yield apps


def _check(apps, registry):
    return check_personal_data(
        app_configs=[apps.get_app_config("privacy")], registry=registry
    )


def test_unregistered_model_linked_to_the_user_is_an_error(throwaway_apps):
    class Note(models.Model):
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        body = models.TextField()

        class Meta:
            app_label = "privacy"

    errors = _check(throwaway_apps, Registry())
    assert _ids(errors) == ["privacy.E001"]
    assert errors[0].obj is Note
    assert "'owner' links to the user" in errors[0].msg


@pytest.mark.parametrize(
    "field",
    [
        ("contact_email", models.EmailField()),
        ("phone", models.CharField(max_length=20)),
        ("full_name", models.CharField(max_length=100)),
        ("street_address", models.CharField(max_length=100)),
        ("attachment", models.FileField()),
        ("picture", models.ImageField()),
    ],
)
def test_fields_that_look_personal_make_an_unregistered_model_an_error(
    throwaway_apps, field
):
    name, model_field = field
    type(
        "Lead",
        (models.Model,),
        {
            "__module__": __name__,
            name: model_field,
            "Meta": type("Meta", (), {"app_label": "privacy"}),
        },
    )
    errors = _check(throwaway_apps, Registry())
    assert _ids(errors) == ["privacy.E001"]
    assert f"'{name}'" in errors[0].msg


def test_model_without_personal_fields_passes(throwaway_apps):
    class Counter(models.Model):
        value = models.IntegerField()
        title = models.CharField(max_length=50)

        class Meta:
            app_label = "privacy"

    assert _check(throwaway_apps, Registry()) == []


def test_registered_model_passes(throwaway_apps):
    class Note(models.Model):
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        email = models.EmailField()

        class Meta:
            app_label = "privacy"

    registry = Registry()

    @registry.register(Note)
    class NoteData(PersonalData):
        subject = "owner"
        fields = {"email": Anonymise.unique_email()}

    assert _check(throwaway_apps, registry) == []


def test_exempted_model_passes(throwaway_apps):
    class Tag(models.Model):
        name = models.CharField(max_length=50)

        class Meta:
            app_label = "privacy"

    registry = Registry()
    registry.exempt(Tag, reason="Tag names, not people.")
    assert _check(throwaway_apps, registry) == []


def test_exempt_works_as_a_class_decorator(throwaway_apps):
    registry = Registry()

    @registry.exempt(reason="Product names.")
    class Product(models.Model):
        name = models.CharField(max_length=50)

        class Meta:
            app_label = "privacy"

    assert registry.exemption_reason(Product) == "Product names."
    assert _check(throwaway_apps, registry) == []


def test_declaration_naming_a_missing_field_is_an_error(throwaway_apps):
    class Note(models.Model):
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

        class Meta:
            app_label = "privacy"

    registry = Registry()

    @registry.register(Note)
    class NoteData(PersonalData):
        subject = "owner"
        fields = {"emial": Anonymise.null()}

    assert "privacy.E002" in _ids(_check(throwaway_apps, registry))


def test_subject_path_that_does_not_reach_the_user_is_an_error(throwaway_apps):
    class Note(models.Model):
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        email = models.EmailField()

        class Meta:
            app_label = "privacy"

    registry = Registry()

    @registry.register(Note)
    class NoteData(PersonalData):
        subject = "email"
        fields = {"email": Anonymise.null()}

    assert _ids(_check(throwaway_apps, registry)) == ["privacy.E003"]


def test_duplicate_retention_keys_are_an_error(throwaway_apps):
    class A(models.Model):
        owner = models.ForeignKey(
            settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
        )

        class Meta:
            app_label = "privacy"

    class B(models.Model):
        owner = models.ForeignKey(
            settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
        )

        class Meta:
            app_label = "privacy"

    registry = Registry()
    for model in (A, B):
        registry.register(model)(
            type(
                "Data",
                (PersonalData,),
                {
                    "subject": "owner",
                    "retention": Retention(
                        key="same", purpose_ended="id", action=Action.DELETE
                    ),
                },
            )
        )
    assert _ids(_check(throwaway_apps, registry)) == ["privacy.E004"]


def test_the_project_itself_passes_the_check():
    """Every personal-data model of the installed apps is declared or exempt."""
    assert check_personal_data() == []
    call_command("check", "--fail-level", "ERROR")


def test_anonymise_rule_without_an_anonymised_at_mark_is_an_error(throwaway_apps):
    class Note(models.Model):
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        closed_at = models.DateTimeField(null=True)

        class Meta:
            app_label = "privacy"

    registry = Registry()

    @registry.register(Note)
    class NoteData(PersonalData):
        subject = "owner"
        retention = Retention(key="note", purpose_ended="closed_at")

    assert _ids(_check(throwaway_apps, registry)) == ["privacy.E005"]
