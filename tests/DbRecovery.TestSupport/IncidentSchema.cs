namespace DbRecovery.TestSupport;

/// <summary>
/// A schema shaped like the incident's: uuid keys on organizations and users, referenced under many
/// names with mixed ON DELETE actions, a composite key, a view and a materialized view over users.id, a
/// key from another schema, gen_random_uuid() defaults, an index on a referencing column, an RLS
/// policy and a trigger on referencing columns, a NOT VALID key, and a decoy uuid owner_id without a key.
/// </summary>
public static class IncidentSchema
{
    public const string Sql = """
        CREATE TABLE organizations (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
        CREATE TABLE users (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
            manager_id uuid CONSTRAINT users_manager_fk REFERENCES users (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
            email text NOT NULL);
        CREATE TABLE deals (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
            created_by uuid REFERENCES users (id) ON DELETE SET NULL,
            updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
            owner_id uuid REFERENCES users (id) ON DELETE RESTRICT,
            assignee_id uuid REFERENCES users (id) DEFERRABLE,
            title text NOT NULL);
        CREATE INDEX deals_owner_idx ON deals (owner_id);
        CREATE TABLE documents (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), uploaded_by uuid NOT NULL REFERENCES users (id), name text);
        CREATE TABLE comments (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), author_id uuid NOT NULL REFERENCES users (id), deal_id uuid REFERENCES deals (id) ON DELETE CASCADE, body text);
        CREATE TABLE memberships (organization_id uuid REFERENCES organizations (id), user_id uuid REFERENCES users (id), role text, PRIMARY KEY (organization_id, user_id));
        CREATE TABLE deal_watchers (deal_id uuid REFERENCES deals (id), organization_id uuid, user_id uuid,
            CONSTRAINT deal_watchers_membership_fk FOREIGN KEY (organization_id, user_id) REFERENCES memberships (organization_id, user_id) MATCH FULL ON UPDATE CASCADE);
        CREATE TABLE notes (id serial PRIMARY KEY, user_id uuid, body text);
        CREATE TABLE tasks (id serial PRIMARY KEY, owner_id uuid, title text);
        CREATE SCHEMA audit;
        CREATE TABLE audit.events (id bigserial PRIMARY KEY, actor_id uuid REFERENCES public.users (id), at timestamptz DEFAULT now());
        CREATE VIEW user_directory AS SELECT u.id, u.email, o.name AS organization FROM users u JOIN organizations o ON o.id = u.organization_id;
        CREATE VIEW busy_users AS SELECT d.id FROM user_directory d WHERE d.email LIKE '%@%';
        CREATE MATERIALIZED VIEW deals_per_owner AS SELECT owner_id, count(*) AS deals FROM deals GROUP BY owner_id;
        CREATE UNIQUE INDEX deals_per_owner_owner_idx ON deals_per_owner (owner_id);
        COMMENT ON VIEW user_directory IS 'Who works where';
        ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
        CREATE POLICY documents_uploader ON documents FOR SELECT USING (uploaded_by IS NOT NULL);
        CREATE FUNCTION touch_deal() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TRIGGER deals_owner_changed BEFORE UPDATE OF owner_id ON deals FOR EACH ROW EXECUTE FUNCTION touch_deal();
        INSERT INTO organizations (name) SELECT 'org ' || g FROM generate_series(1, 3) g;
        INSERT INTO users (organization_id, email) SELECT o.id, 'user' || g || '@' || o.name FROM organizations o, generate_series(1, 4) g;
        UPDATE users SET manager_id = (SELECT min(id::text)::uuid FROM users);
        INSERT INTO deals (organization_id, created_by, owner_id, assignee_id, title)
            SELECT u.organization_id, u.id, u.id, u.id, 'deal ' || g FROM users u, generate_series(1, 3) g;
        INSERT INTO documents (uploaded_by, name) SELECT id, 'doc' FROM users;
        INSERT INTO comments (author_id, deal_id, body) SELECT owner_id, id, 'hi' FROM deals;
        INSERT INTO memberships SELECT organization_id, id, 'member' FROM users;
        INSERT INTO deal_watchers SELECT d.id, d.organization_id, d.owner_id FROM deals d;
        INSERT INTO notes (user_id, body) SELECT id, 'n' FROM users;
        ALTER TABLE notes ADD CONSTRAINT notes_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
        INSERT INTO tasks (owner_id, title) SELECT id, 't' FROM users;
        INSERT INTO audit.events (actor_id) SELECT id FROM users;
        REFRESH MATERIALIZED VIEW deals_per_owner;
        """;

    /// <summary>Every column linked to users.id or organizations.id by a foreign key.</summary>
    public static readonly string[] LinkedColumns =
    [
        "audit.events.actor_id",
        "public.comments.author_id",
        "public.deal_watchers.organization_id",
        "public.deal_watchers.user_id",
        "public.deals.assignee_id",
        "public.deals.created_by",
        "public.deals.organization_id",
        "public.deals.owner_id",
        "public.deals.updated_by",
        "public.documents.uploaded_by",
        "public.memberships.organization_id",
        "public.memberships.user_id",
        "public.notes.user_id",
        "public.organizations.id",
        "public.users.id",
        "public.users.manager_id",
        "public.users.organization_id",
    ];
}
