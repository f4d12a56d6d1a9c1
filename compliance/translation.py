"""Danish and English forms of the policy content held in the database
(django-modeltranslation adds ``<field>_en`` and ``<field>_da``; reading
``<field>`` gives the active language's, falling back to English)."""

from modeltranslation.translator import TranslationOptions, register

from compliance.models import PolicyVersion, ProcessingActivity, Processor


@register(Processor)
class ProcessorTranslation(TranslationOptions):
    fields = ("data_categories", "country", "joint_arrangement")


@register(ProcessingActivity)
class ProcessingActivityTranslation(TranslationOptions):
    fields = (
        "purpose",
        "description",
        "legal_basis_note",
        "special_basis",
        "data_subjects",
        "data_categories",
        "requirement_consequence",
        "source",
        "profiling",
        "other_recipients",
    )


@register(PolicyVersion)
class PolicyVersionTranslation(TranslationOptions):
    fields = ("summary", "intro", "security", "contact", "rendered")
