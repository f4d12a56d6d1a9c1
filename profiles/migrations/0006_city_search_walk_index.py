# The directory's city filter with search text walks (upper(city), id) for
# public profiles, so the capped candidate scan stops after its 300 matches
# instead of building a bitmap of every profile in the city (80k for Aarhus in
# a directory of 1M: 50-100 ms, growing with the directory). The composite
# index serves every lookup the single-column one did, which it replaces.
# PostgreSQL only, like 0003 (SQLite, ``make run``: nothing to do).
from django.db import migrations

from core.migration_operations import on_postgres

FORWARD = r"""
CREATE INDEX freelancer_public_city_walk_idx ON profiles_freelancerprofile
    (upper(city), id)
    WHERE published_at IS NOT NULL AND restricted_at IS NULL;
DROP INDEX IF EXISTS freelancer_public_city_upper_idx;
"""

BACKWARD = r"""
CREATE INDEX freelancer_public_city_upper_idx ON profiles_freelancerprofile
    (upper(city))
    WHERE published_at IS NOT NULL AND restricted_at IS NULL;
DROP INDEX IF EXISTS freelancer_public_city_walk_idx;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0005_shortlist"),
    ]

    operations = [
        migrations.RunPython(on_postgres(FORWARD), on_postgres(BACKWARD)),
    ]
