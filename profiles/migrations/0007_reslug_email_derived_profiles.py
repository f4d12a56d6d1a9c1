"""Profiles whose slug was built from the e-mail address's local part get a
slug from their name (or a random one); the old slug keeps redirecting."""

from uuid import uuid4

from django.db import migrations
from django.utils.text import slugify


def _is_email_derived(slug: str, email: str) -> bool:
    local = slugify(email.split("@", 1)[0])[:60]
    return bool(local) and slug.startswith(f"{local}-")


def reslug(apps, schema_editor):
    FreelancerProfile = apps.get_model("profiles", "FreelancerProfile")
    FreelancerSlugHistory = apps.get_model("profiles", "FreelancerSlugHistory")
    profiles = FreelancerProfile.objects.select_related("user").only(
        "slug", "full_name", "user__email"
    )
    for profile in profiles.iterator(chunk_size=500):
        email = profile.user.email
        if not _is_email_derived(profile.slug, email):
            continue
        base = slugify(profile.full_name)[:60]
        if not base or base == slugify(email.split("@", 1)[0])[:60]:
            base = "profile"
        FreelancerSlugHistory.objects.get_or_create(
            slug=profile.slug, defaults={"profile_id": profile.pk}
        )
        FreelancerProfile.objects.filter(pk=profile.pk).update(
            slug=f"{base}-{uuid4().hex[:6]}"
        )


class Migration(migrations.Migration):
    dependencies = [("profiles", "0006_freelancer_slug_history")]

    operations = [migrations.RunPython(reslug, migrations.RunPython.noop)]
