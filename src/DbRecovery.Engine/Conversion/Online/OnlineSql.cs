using System.Globalization;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// Builds the statements of an online conversion: expand, backfill, indexes, validation, swap, contract, and abort.
/// </summary>
internal static class OnlineSql
{
    private static readonly QualifiedName StateName = new(OnlineNames.Schema, "online_conversion");

    public static PlanStep CreateState() =>
        Online(
            StepKind.Create,
            StateName,
            "Create the tables that record the online conversion's progress",
            $"""
            CREATE SCHEMA IF NOT EXISTS {SqlIdentifier.Quote(OnlineNames.Schema)};
            CREATE TABLE IF NOT EXISTS {OnlineNames.StateTable} (id int PRIMARY KEY DEFAULT 1 CHECK (id = 1), target
                text NOT NULL, columns jsonb NOT NULL,
                started_at timestamptz NOT NULL DEFAULT now(), swapped_at timestamptz);
            CREATE TABLE IF NOT EXISTS {OnlineNames.BackfillTable} (table_schema text, table_name text, chunk int NOT
                NULL DEFAULT 0, next_page bigint NOT NULL DEFAULT 0,
                end_page bigint, rows_done bigint NOT NULL DEFAULT 0, done_at timestamptz, PRIMARY KEY (table_schema,
                    table_name, chunk));
            ALTER TABLE {OnlineNames.BackfillTable} ADD COLUMN IF NOT EXISTS first_page bigint NOT NULL DEFAULT 0,
                ADD COLUMN IF NOT EXISTS moving boolean NOT NULL DEFAULT false
            """
        );

    /// <summary>
    /// Records what is converted; a rerun that finds the row continues this conversion and refuses another.
    /// </summary>
    public static SqlStep RecordState(string target, string columnsJson, string tablesJson) =>
        Online(
            StepKind.Write,
            StateName,
            "Record the columns being converted and a backfill row per table",
            $"""
            WITH conversion AS (INSERT INTO {OnlineNames.StateTable} (target, columns) VALUES ($1, $2::jsonb) ON
                CONFLICT (id) DO NOTHING)
            INSERT INTO {OnlineNames.BackfillTable} (table_schema, table_name) SELECT t->>0, t->>1 FROM
                jsonb_array_elements($3::jsonb) t ON CONFLICT DO NOTHING
            """
        ) with
        {
            Parameters = [target, columnsJson, tablesJson],
        };

    /// <summary>
    /// Shadow columns, the trigger that keeps them equal to the casts, and the CHECK that proves it (NOT VALID until
    /// the backfill is done). The trigger's WHEN skips rows whose shadows are already right, so the backfill's own
    /// updates (and writes that leave the ids alone) cost no function call. The function runs as whoever writes the
    /// row, so EXECUTE is granted to PUBLIC explicitly: a database that revokes it by default would otherwise fail
    /// the application's writes.
    /// </summary>
    public static PlanStep Expand(OnlineTable table)
    {
        var function = OnlineNames.Function(table.Oid);
        var trigger = SqlIdentifier.Quote(OnlineNames.Trigger);
        var sets = string.Join(
            "\n",
            table.Columns.Select(c => $"    NEW.{SqlIdentifier.Quote(c.Shadow)} := {c.Cast("NEW.")};")
        );
        var sql = $"""
            ALTER TABLE {table.Quoted}
                {string.Join(
                ",\n    ",
                table.Columns.Select(c => $"ADD COLUMN IF NOT EXISTS {SqlIdentifier.Quote(c.Shadow)} {c.Planned.To}")
            )};
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $dbrecovery$
            BEGIN
            {sets}
                RETURN NEW;
            END
            $dbrecovery$;
            GRANT EXECUTE ON FUNCTION {function}() TO PUBLIC;
            CREATE OR REPLACE TRIGGER {trigger} BEFORE INSERT OR UPDATE ON {table.Quoted} FOR EACH ROW
                WHEN ({string.Join(
                " OR ",
                table.Columns.Select(c => $"NEW.{SqlIdentifier.Quote(c.Shadow)} IS DISTINCT FROM {c.Cast("NEW.")}")
            )}) EXECUTE FUNCTION {function}();
            ALTER TABLE {table.Quoted} ENABLE ALWAYS TRIGGER {trigger}
            """;
        return Online(
            StepKind.Create,
            table.Name,
            $"Add shadow column(s) {string.Join(", ", table.Columns.Select(c => c.Shadow))} to {table.Name} and the "
                + "trigger that keeps them equal to the casts",
            sql
        );
    }

    /// <summary>
    /// The CHECK that proves the shadows equal the casts, added NOT VALID once the backfill is done: the backfill's
    /// own updates set exactly the casts, so checking each of them as it is written would only cost time, and the
    /// validation proves every row however it was written.
    /// </summary>
    public static PlanStep AddCheck(OnlineTable table)
    {
        var check = SqlIdentifier.Quote(table.Check);
        return Online(
            StepKind.Create,
            table.Name,
            $"Add {table.Check} to {table.Name}: the CHECK that the shadows equal the casts, held by every write from "
                + "now on (NOT VALID; the validation proves the rows before)",
            $"ALTER TABLE {table.Quoted} DROP CONSTRAINT IF EXISTS {check}, "
                + $"ADD CONSTRAINT {check} CHECK ({table.CheckExpression}) NOT VALID"
        );
    }

    /// <summary>The twin of <paramref name="index"/> on the shadow columns, built without blocking writes.</summary>
    public static PlanStep CreateIndex(OnlineTable table, IndexFact index)
    {
        var shadows = table.Columns.ToDictionary(c => c.Name, c => c.Shadow);
        string Column(string name) => SqlIdentifier.Quote(shadows.GetValueOrDefault(name, name));
        static string Order(short option) =>
            ((option & 1) != 0, (option & 2) != 0) switch
            {
                (true, false) => " DESC NULLS LAST",
                (true, true) => " DESC",
                (false, true) => " NULLS FIRST",
                _ => string.Empty,
            };
        var keys = index.Columns.Take(index.KeyCount).Select((c, i) => Column(c) + Order(index.Options[i]));
        var include =
            index.Columns.Count > index.KeyCount
                ? $" INCLUDE ({string.Join(", ", index.Columns.Skip(index.KeyCount).Select(Column))})"
                : string.Empty;
        var sql =
            $"CREATE {(index.Unique ? "UNIQUE " : string.Empty)}INDEX CONCURRENTLY IF NOT EXISTS "
            + $"{SqlIdentifier.Quote(OnlineNames.ShadowIndex(index.Name))} ON {table.Quoted} USING "
            + $"{SqlIdentifier.Quote(index.Method)} ({string.Join(", ", keys)}){include}"
            + (index.StorageOptions.Count > 0 ? $" WITH ({string.Join(", ", index.StorageOptions)})" : string.Empty)
            + (index.Tablespace is null ? string.Empty : $" TABLESPACE {SqlIdentifier.Quote(index.Tablespace)}")
            + (index.Predicate is null ? string.Empty : $" WHERE {index.Predicate}");
        return new IndexBuildStep
        {
            Kind = StepKind.Index,
            Phase = StepPhase.Online,
            Targets = [table.Name],
            Index = new QualifiedName(table.Schema, OnlineNames.ShadowIndex(index.Name)),
            Action =
                $"Build {OnlineNames.ShadowIndex(index.Name)}, the twin of {index.Name} on the shadows, CONCURRENTLY "
                + "(writes continue)",
            Statement = sql,
        };
    }

    public static PlanStep Validate(OnlineTable table) =>
        Online(
            StepKind.Validate,
            table.Name,
            $"Validate {table.Check}: prove every row of {table.Name} has its shadows equal to the casts (reads and "
                + "writes continue)",
            $"ALTER TABLE {table.Quoted} VALIDATE CONSTRAINT {SqlIdentifier.Quote(table.Check)}"
        );

    /// <summary>
    /// The metadata-only exchange of a table's columns, keys and indexes for their shadows, inside the swap
    /// transaction.
    /// </summary>
    public static PlanStep Swap(OnlineTable table)
    {
        var statements = new List<string>();
        var keys = table.Indexes.Where(i => i.IsKey).ToList();
        var plain = table.Indexes.Where(i => !i.IsKey).ToList();
        statements.AddRange(
            keys.Select(i => $"ALTER TABLE {table.Quoted} DROP CONSTRAINT {SqlIdentifier.Quote(i.Constraint!)}")
        );
        statements.AddRange(plain.Select(i => $"DROP INDEX {SqlIdentifier.Quote(table.Schema, i.Name)}"));
        statements.AddRange(
            table.Columns.Where(c => c.Planned.Identity is not null).Select(c => MoveIdentity(table, c))
        );
        var release = table
            .Columns.SelectMany(c =>
                new[]
                {
                    c.Planned.DefaultBefore is null ? null : $"ALTER COLUMN {SqlIdentifier.Quote(c.Name)} DROP DEFAULT",
                    c.NotNull ? $"ALTER COLUMN {SqlIdentifier.Quote(c.Name)} DROP NOT NULL" : null,
                }
            )
            .OfType<string>()
            .ToList();
        if (release.Count > 0)
        {
            statements.Add($"ALTER TABLE {table.Quoted} {string.Join(", ", release)}");
        }

        foreach (var column in table.Columns)
        {
            statements.Add(
                $"ALTER TABLE {table.Quoted} RENAME COLUMN {SqlIdentifier.Quote(column.Name)} TO "
                    + $"{SqlIdentifier.Quote(column.Old)}"
            );
            statements.Add(
                $"ALTER TABLE {table.Quoted} RENAME COLUMN {SqlIdentifier.Quote(column.Shadow)} TO "
                    + $"{SqlIdentifier.Quote(column.Name)}"
            );
        }

        // A serial key's sequence goes with the key to the new column, or the contract's DROP COLUMN would drop it.
        foreach (var column in table.Columns.Where(c => c.Planned.Sequence is not null))
        {
            statements.Add(
                $"ALTER SEQUENCE {column.Planned.Sequence}"
                    + (column.Planned.WidensSequence ? $" AS {column.Planned.To}" : string.Empty)
                    + $" OWNED BY {table.Quoted}.{SqlIdentifier.Quote(column.Name)}"
            );
        }

        // SET NOT NULL skips its scan because the validated CHECK proves it; so the CHECK goes only after.
        var take = table
            .Columns.SelectMany(c =>
                new[]
                {
                    c.NotNull ? $"ALTER COLUMN {SqlIdentifier.Quote(c.Name)} SET NOT NULL" : null,
                    c.Planned.DefaultAfter is null
                        ? null
                        : $"ALTER COLUMN {SqlIdentifier.Quote(c.Name)} SET DEFAULT {c.Planned.DefaultAfter}",
                }
            )
            .OfType<string>()
            .ToList();
        if (take.Count > 0)
        {
            statements.Add($"ALTER TABLE {table.Quoted} {string.Join(", ", take)}");
        }

        statements.Add($"ALTER TABLE {table.Quoted} DROP CONSTRAINT {SqlIdentifier.Quote(table.Check)}");
        statements.Add($"DROP TRIGGER {SqlIdentifier.Quote(OnlineNames.Trigger)} ON {table.Quoted}");
        statements.Add($"DROP FUNCTION {OnlineNames.Function(table.Oid)}()");
        foreach (var key in keys)
        {
            var deferrable = key.Deferrable
                ? (key.Deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE")
                : string.Empty;
            statements.Add(
                $"ALTER TABLE {table.Quoted} ADD CONSTRAINT {SqlIdentifier.Quote(key.Constraint!)} "
                    + $"{(key.ConstraintType == 'p' ? "PRIMARY KEY" : "UNIQUE")} USING INDEX "
                    + $"{SqlIdentifier.Quote(OnlineNames.ShadowIndex(key.Name))}{deferrable}"
            );
            if (key.ConstraintComment is not null)
            {
                statements.Add(
                    $"COMMENT ON CONSTRAINT {SqlIdentifier.Quote(key.Constraint!)} ON {table.Quoted} IS "
                        + $"{ConversionSql.Literal(key.ConstraintComment)}"
                );
            }
        }

        statements.AddRange(
            plain.Select(i =>
                $"ALTER INDEX {SqlIdentifier.Quote(table.Schema, OnlineNames.ShadowIndex(i.Name))} RENAME TO "
                + $"{SqlIdentifier.Quote(i.Name)}"
            )
        );
        statements.AddRange(
            table
                .Indexes.Where(i => i.Comment is not null)
                .Select(i =>
                    $"COMMENT ON INDEX {SqlIdentifier.Quote(table.Schema, i.Name)} IS "
                    + $"{ConversionSql.Literal(i.Comment!)}"
                )
        );
        statements.AddRange(
            table
                .Columns.Where(c => c.Comment is not null)
                .Select(c =>
                    $"COMMENT ON COLUMN {table.Quoted}.{SqlIdentifier.Quote(c.Name)} IS "
                    + $"{ConversionSql.Literal(c.Comment!)}"
                )
        );
        return ConversionSql.Step(
            StepKind.Swap,
            table.Schema,
            table.Table,
            $"Put the shadows of {table.Name} in place of {string.Join(", ", table.Columns.Select(c => c.Name))} "
                + "with their keys, indexes, NOT NULL and defaults (renames only; the old columns stay as "
                + $"{string.Join(", ", table.Columns.Select(c => c.Old))} until the contract)",
            string.Join(";\n", statements)
        );
    }

    /// <summary>
    /// An identity goes to the shadow column, continuing where its sequence is, under the same sequence name and with
    /// its increment, cache and cycling (its bounds become the new type's): the next value is taken first, since
    /// dropping the identity drops its sequence. The shadow's NOT NULL, which an identity needs, is proven by the
    /// validated CHECK, so setting it scans nothing.
    /// </summary>
    private static string MoveIdentity(OnlineTable table, OnlineColumn column)
    {
        var sequence = ConversionSql.Literal(column.Planned.IdentitySequence!);
        var (schema, name, shadow) = (
            ConversionSql.Literal(table.Schema),
            ConversionSql.Literal(table.Table),
            ConversionSql.Literal(column.Shadow)
        );
        return $"""
            DO $dbrecovery$
            DECLARE
                next bigint := nextval({sequence});
                sequence_name name := (SELECT c.relname FROM pg_class c WHERE c.oid = {sequence}::regclass);
                options pg_sequence := (SELECT q FROM pg_sequence q WHERE q.seqrelid = {sequence}::regclass);
            BEGIN
                ALTER TABLE {table.Quoted} ALTER COLUMN {SqlIdentifier.Quote(column.Name)} DROP IDENTITY;
                ALTER TABLE {table.Quoted} ALTER COLUMN {SqlIdentifier.Quote(column.Shadow)} SET NOT NULL;
                EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I ADD GENERATED {column.Planned.Identity} AS IDENTITY
                    (START WITH %s INCREMENT BY %s CACHE %s%s)', {schema}, {name}, {shadow}, next,
                    options.seqincrement, options.seqcache, CASE WHEN options.seqcycle THEN ' CYCLE' ELSE '' END);
                EXECUTE format('ALTER SEQUENCE %s RENAME TO %I',
                    pg_get_serial_sequence(format('%I.%I', {schema}, {name}), {shadow}), sequence_name);
            END
            $dbrecovery$
            """;
    }

    public static PlanStep MarkSwapped() =>
        SqlStep.Of(
            StepKind.Write,
            "Record that the swap committed (with it)",
            $"UPDATE {OnlineNames.StateTable} SET swapped_at = now()",
            StateName
        );

    public static PlanStep Contract(string schema, string table, IReadOnlyList<string> columns) =>
        Online(
            StepKind.Destroy,
            new QualifiedName(schema, table),
            $"Drop the old column(s) {string.Join(", ", columns.Select(OnlineNames.Old))} of {schema}.{table} "
                + "(metadata only: their values leave each row when it is next written; VACUUM reclaims the backfill's "
                + "dead row versions)",
            $"ALTER TABLE {SqlIdentifier.Quote(schema, table)} "
                + string.Join(
                    ", ",
                    columns.Select(c => $"DROP COLUMN IF EXISTS {SqlIdentifier.Quote(OnlineNames.Old(c))}")
                )
        );

    public static PlanStep DropState() =>
        Online(
            StepKind.Destroy,
            StateName,
            "Drop the online conversion's state",
            $"DROP TABLE IF EXISTS {OnlineNames.BackfillTable}, {OnlineNames.StateTable};\nDROP SCHEMA IF EXISTS "
                + $"{SqlIdentifier.Quote(OnlineNames.Schema)}"
        );

    /// <summary>
    /// Removes all an unfinished conversion added to a table: its trigger and function, the CHECK, the shadows (and
    /// with them their indexes).
    /// </summary>
    public static PlanStep Abort(string schema, string table, uint oid, IReadOnlyList<string> columns) =>
        Online(
            StepKind.Destroy,
            new QualifiedName(schema, table),
            $"Remove the trigger, CHECK, shadow columns and their indexes from {schema}.{table}",
            $"""
            DROP TRIGGER IF EXISTS {SqlIdentifier.Quote(OnlineNames.Trigger)} ON {SqlIdentifier.Quote(schema, table)};
            DROP FUNCTION IF EXISTS {OnlineNames.Function(oid)}();
            ALTER TABLE {SqlIdentifier.Quote(schema, table)} DROP CONSTRAINT IF EXISTS {SqlIdentifier.Quote(
                OnlineNames.Check(table)
            )}, {string.Join(
                ", ",
                columns.Select(c => $"DROP COLUMN IF EXISTS {SqlIdentifier.Quote(OnlineNames.Shadow(c))}")
            )}
            """
        );

    private static SqlStep Online(StepKind kind, QualifiedName target, string action, string sql) =>
        SqlStep.Of(kind, action, sql, target) with
        {
            Phase = StepPhase.Online,
        };
}
