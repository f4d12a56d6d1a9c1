# Full-text search of the freelancer directory (issue 21), PostgreSQL only.
#
# Written by hand: the column, its triggers and the GIN indexes live in SQL,
# not on the model, because SQLite (``make run``) has none of them; there
# ``profiles/search.py`` falls back to a simpler search behind the same
# interface and this migration does nothing.
#
# What is indexed is only what the freelancer published on the profile page:
# headline and skill names (weight A), about text (B), city and company name
# (C), full name (D). Never e-mail, phone, CPR, street or postal code.
# Danish and English stems are both indexed (profiles have no language
# field), and the query side ORs the two configurations.
#
# Kept current on every write, inside the writing transaction:
# - a BEFORE INSERT / UPDATE trigger on the profile recomputes the vector when
#   a searched field changes (erasure anonymises those fields, so its vector
#   empties with them);
# - statement-level AFTER INSERT / DELETE triggers on the skills through-table
#   recompute the profiles whose skills changed (one UPDATE per statement);
# - an AFTER UPDATE OF name trigger on the skill recomputes its holders.
from django.db import migrations

from core.migration_operations import on_postgres

FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE profiles_freelancerprofile ADD COLUMN search_vector tsvector;

CREATE FUNCTION profiles_freelancer_search_document(
    p_headline text, p_skills text, p_bio text, p_city text, p_company text,
    p_name text
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT
        setweight(to_tsvector('pg_catalog.danish',
            coalesce(p_headline, '') || ' ' || coalesce(p_skills, '')), 'A')
        || setweight(to_tsvector('pg_catalog.english',
            coalesce(p_headline, '') || ' ' || coalesce(p_skills, '')), 'A')
        || setweight(to_tsvector('pg_catalog.danish', coalesce(p_bio, '')), 'B')
        || setweight(to_tsvector('pg_catalog.english', coalesce(p_bio, '')), 'B')
        || setweight(to_tsvector('pg_catalog.danish',
            coalesce(p_city, '') || ' ' || coalesce(p_company, '')), 'C')
        || setweight(to_tsvector('pg_catalog.english',
            coalesce(p_city, '') || ' ' || coalesce(p_company, '')), 'C')
        || setweight(to_tsvector('pg_catalog.simple', coalesce(p_name, '')), 'D')
        || setweight(to_tsvector('pg_catalog.danish', coalesce(p_name, '')), 'D')
$$;

CREATE FUNCTION profiles_freelancer_skill_names(p_id bigint)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(s.name, ' ' ORDER BY s.name), '')
    FROM profiles_freelancerprofile_skills fs
    JOIN profiles_skill s ON s.id = fs.skill_id
    WHERE fs.freelancerprofile_id = p_id
$$;

CREATE FUNCTION profiles_freelancer_search_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := profiles_freelancer_search_document(
        NEW.headline, profiles_freelancer_skill_names(NEW.id), NEW.bio,
        NEW.city, NEW.company_name, NEW.full_name);
    RETURN NEW;
END
$$;

CREATE TRIGGER profiles_freelancer_search_insert
    BEFORE INSERT ON profiles_freelancerprofile
    FOR EACH ROW EXECUTE FUNCTION profiles_freelancer_search_row();

CREATE TRIGGER profiles_freelancer_search_update
    BEFORE UPDATE OF headline, bio, city, company_name, full_name
    ON profiles_freelancerprofile
    FOR EACH ROW
    WHEN (OLD.headline IS DISTINCT FROM NEW.headline
        OR OLD.bio IS DISTINCT FROM NEW.bio
        OR OLD.city IS DISTINCT FROM NEW.city
        OR OLD.company_name IS DISTINCT FROM NEW.company_name
        OR OLD.full_name IS DISTINCT FROM NEW.full_name)
    EXECUTE FUNCTION profiles_freelancer_search_row();

-- The transition table is called "changed" by both triggers below.
CREATE FUNCTION profiles_freelancer_skills_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE profiles_freelancerprofile p
    SET search_vector = profiles_freelancer_search_document(
        p.headline, profiles_freelancer_skill_names(p.id), p.bio, p.city,
        p.company_name, p.full_name)
    WHERE p.id IN (SELECT DISTINCT freelancerprofile_id FROM changed);
    RETURN NULL;
END
$$;

CREATE TRIGGER profiles_freelancer_skills_search_insert
    AFTER INSERT ON profiles_freelancerprofile_skills
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION profiles_freelancer_skills_search();

CREATE TRIGGER profiles_freelancer_skills_search_delete
    AFTER DELETE ON profiles_freelancerprofile_skills
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION profiles_freelancer_skills_search();

CREATE FUNCTION profiles_skill_renamed_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE profiles_freelancerprofile p
    SET search_vector = profiles_freelancer_search_document(
        p.headline, profiles_freelancer_skill_names(p.id), p.bio, p.city,
        p.company_name, p.full_name)
    WHERE p.id IN (SELECT freelancerprofile_id
                   FROM profiles_freelancerprofile_skills WHERE skill_id = NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER profiles_skill_renamed_search
    AFTER UPDATE OF name ON profiles_skill
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION profiles_skill_renamed_search();

-- Existing rows.
UPDATE profiles_freelancerprofile p
SET search_vector = profiles_freelancer_search_document(
    p.headline, profiles_freelancer_skill_names(p.id), p.bio, p.city,
    p.company_name, p.full_name);

-- Only what the directory may show is in the index: the search filters on
-- the same two columns (``_public_q``), so the planner can use it.
-- fastupdate off: every search would otherwise also read the pending list
-- (up to gin_pending_list_limit, 4 MB) until a vacuum merges it; a profile
-- save pays the index update at once instead.
CREATE INDEX freelancer_search_vector_idx ON profiles_freelancerprofile
    USING gin (search_vector) WITH (fastupdate = off)
    WHERE published_at IS NOT NULL AND restricted_at IS NULL;

-- The directory's city filter (``city__iexact``: upper(city) = ...) in the
-- same query as the text: an index (and planner statistics) on the
-- expression it compares, for public profiles.
CREATE INDEX freelancer_public_city_upper_idx ON profiles_freelancerprofile
    (upper(city))
    WHERE published_at IS NOT NULL AND restricted_at IS NULL;

-- Typo tolerance for competences ("kubernets" -> Kubernetes).
CREATE INDEX skill_name_trgm_idx ON profiles_skill
    USING gin (lower(name) gin_trgm_ops);

-- Skill -> profiles (facets and the rename trigger); Django's own index on
-- skill_id alone makes every lookup visit the heap for the profile id.
CREATE INDEX freelancer_skills_skill_profile_idx
    ON profiles_freelancerprofile_skills (skill_id, freelancerprofile_id);
"""

BACKWARD = r"""
DROP INDEX IF EXISTS freelancer_skills_skill_profile_idx;
DROP INDEX IF EXISTS skill_name_trgm_idx;
DROP INDEX IF EXISTS freelancer_public_city_upper_idx;
DROP INDEX IF EXISTS freelancer_search_vector_idx;
DROP TRIGGER IF EXISTS profiles_skill_renamed_search ON profiles_skill;
DROP FUNCTION IF EXISTS profiles_skill_renamed_search();
DROP TRIGGER IF EXISTS profiles_freelancer_skills_search_delete
    ON profiles_freelancerprofile_skills;
DROP TRIGGER IF EXISTS profiles_freelancer_skills_search_insert
    ON profiles_freelancerprofile_skills;
DROP FUNCTION IF EXISTS profiles_freelancer_skills_search();
DROP TRIGGER IF EXISTS profiles_freelancer_search_update
    ON profiles_freelancerprofile;
DROP TRIGGER IF EXISTS profiles_freelancer_search_insert
    ON profiles_freelancerprofile;
DROP FUNCTION IF EXISTS profiles_freelancer_search_row();
DROP FUNCTION IF EXISTS profiles_freelancer_skill_names(bigint);
DROP FUNCTION IF EXISTS profiles_freelancer_search_document(
    text, text, text, text, text, text);
ALTER TABLE profiles_freelancerprofile DROP COLUMN IF EXISTS search_vector;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("profiles", "0002_journeys_fields"),
    ]

    operations = [
        migrations.RunPython(on_postgres(FORWARD), on_postgres(BACKWARD)),
    ]
