namespace DbRecovery.TestSupport;

/// <summary>
/// A schema with every object kind the catalog reader captures: composite and cross-schema foreign
/// keys, a self-reference, a partitioned table, partial and expression indexes, views over key
/// columns, an enum, identity and generated columns, an RLS policy, and awkward identifiers.
/// </summary>
public static class FixtureSchema
{
    public const string QuotedSchema = "Billing Ω";
    public const string QuotedTable = "Invoice \"Lines\"";
    public const string StampedRevision = "dc2c0f69c1b1";

    public const string Sql = """"
        CREATE SCHEMA app;
        CREATE SCHEMA "Billing Ω";
        CREATE TYPE app.deal_stage AS ENUM ('lead', 'won', 'lost');
        CREATE TABLE app.organizations (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            name text NOT NULL CONSTRAINT organizations_name_key UNIQUE);
        CREATE TABLE app.users (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            organization_id uuid NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
            manager_id uuid CONSTRAINT users_manager_fk REFERENCES app.users (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
            email text NOT NULL,
            seq_no bigint GENERATED ALWAYS AS IDENTITY,
            email_lower text GENERATED ALWAYS AS (lower(email)) STORED,
            CONSTRAINT users_email_check CHECK (position('@' in email) > 1));
        CREATE UNIQUE INDEX users_email_lower_idx ON app.users (lower(email));
        CREATE INDEX users_managed_idx ON app.users (organization_id) WHERE manager_id IS NOT NULL;
        CREATE TABLE app.memberships (
            organization_id uuid REFERENCES app.organizations (id),
            user_id uuid,
            role text,
            PRIMARY KEY (organization_id, user_id));
        ALTER TABLE app.memberships ADD CONSTRAINT memberships_role_check CHECK (role <> '') NOT VALID;
        CREATE TABLE "Billing Ω"."Invoice ""Lines""" (
            id serial PRIMARY KEY,
            organization_id uuid,
            user_id uuid,
            stage app.deal_stage NOT NULL DEFAULT 'lead',
            "Amount €" numeric(12,2),
            CONSTRAINT "fk membership" FOREIGN KEY (organization_id, user_id)
                REFERENCES app.memberships (organization_id, user_id) MATCH FULL ON UPDATE RESTRICT);
        CREATE TABLE app.events (id bigint, occurred_at timestamptz NOT NULL, user_id uuid REFERENCES app.users (id))
            PARTITION BY RANGE (occurred_at);
        CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE app.slots (room int, during tstzrange, CONSTRAINT slots_no_overlap EXCLUDE USING gist (during WITH &&));
        CREATE VIEW app.user_emails AS
            SELECT u.id, u.email, o.name FROM app.users u JOIN app.organizations o ON o.id = u.organization_id;
        CREATE MATERIALIZED VIEW app.org_counts AS SELECT organization_id, count(*) AS members FROM app.users GROUP BY organization_id;
        ALTER TABLE app.users ENABLE ROW LEVEL SECURITY;
        CREATE POLICY users_same_org ON app.users FOR SELECT USING (organization_id IS NOT NULL);
        CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TRIGGER users_touch BEFORE UPDATE OF email ON app.users
            FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email) EXECUTE FUNCTION app.touch();
        CREATE TABLE public.alembic_version (version_num varchar(32) NOT NULL CONSTRAINT alembic_version_pkc PRIMARY KEY);
        INSERT INTO public.alembic_version VALUES ('dc2c0f69c1b1');
        """";
}
