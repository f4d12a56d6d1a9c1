# The directory's availability order reads one index range per availability
# (``profiles.selectors.AvailabilityOrder``) instead of sorting the whole
# directory on every page. Rows that would fall in no range are repaired
# first, as the profile service would have saved them: an unknown
# availability becomes "not said", and a date is kept only with "from".

from django.db import migrations, models

KNOWN = ["", "now", "from", "not"]


def repair(apps, schema_editor):
    FreelancerProfile = apps.get_model("profiles", "FreelancerProfile")
    FreelancerProfile.objects.exclude(availability__in=KNOWN).update(availability="")
    FreelancerProfile.objects.exclude(availability="from").exclude(
        available_from__isnull=True
    ).update(available_from=None)


class Migration(migrations.Migration):

    dependencies = [
        ('profiles', '0007_search_bucket_index'),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='freelancerprofile',
            index=models.Index(models.F('availability'), models.F('available_from'), models.OrderBy(models.F('published_at'), descending=True), models.F('id'), condition=models.Q(('published_at__isnull', False), ('restricted_at__isnull', True)), name='freelancer_avail_walk_idx'),
        ),
        migrations.AddConstraint(
            model_name='freelancerprofile',
            constraint=models.CheckConstraint(condition=models.Q(('availability__in', ['', 'now', 'from', 'not'])), name='freelancer_availability_known'),
        ),
        migrations.AddConstraint(
            model_name='freelancerprofile',
            constraint=models.CheckConstraint(condition=models.Q(('availability', 'from'), ('available_from__isnull', True), _connector='OR'), name='freelancer_available_from_only_from'),
        ),
    ]
