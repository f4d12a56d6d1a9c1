from django.utils.translation import gettext_lazy as _

from .registry import Action, personal_data

ACTION_DONE = {Action.ANONYMISE: _("anonymised"), Action.DELETE: _("deleted")}


def registry_overview() -> list[dict]:
    """What the registry holds, in a shape the privacy policy can render."""
    overview = []
    for declaration in personal_data.declarations():
        retention = declaration.retention
        overview.append(
            {
                "model": declaration.model._meta.verbose_name.capitalize(),
                "description": declaration.description,
                "fields": [
                    str(declaration.model._meta.get_field(spec.name).verbose_name)
                    for spec in declaration.personal_fields()
                ],
                "retention_days": retention.after.days if retention else None,
                "retention_action": ACTION_DONE[retention.action]
                if retention
                else None,
                "retention_description": retention.description if retention else "",
            }
        )
    return sorted(overview, key=lambda row: row["model"])
