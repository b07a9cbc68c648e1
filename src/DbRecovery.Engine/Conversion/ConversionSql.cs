using System.Text.RegularExpressions;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// Builds the statements of a conversion: locks, drops and re-creations of dependents, one ALTER TABLE per table.
/// </summary>
internal static partial class ConversionSql
{
    /// <summary>
    /// Marks a foreign key re-created NOT VALID that must be validated after COMMIT; a rerun finishes what a crash
    /// interrupted.
    /// </summary>
    public const string PendingValidation = "dbrecovery:validate-after-conversion";

    public static string Table(string schema, string table) => SqlIdentifier.Quote(schema, table);

    public static SqlStep Step(
        StepKind kind,
        string schema,
        string table,
        string action,
        string sql,
        StepPhase phase = StepPhase.InTransaction
    ) => SqlStep.Of(kind, action, sql, new QualifiedName(schema, table)) with { Phase = phase };

    public static string NewDefault(string? old, string target)
    {
        if (old is null)
        {
            return string.Empty;
        }

        if (IntegerKeys.Is(target))
        {
            // nextval() returns bigint and a constant fits: the default stays as it is.
            return old;
        }

        if (target == "uuid")
        {
            var cast = TextCast().Match(old);
            return cast.Success ? cast.Groups[1].Value : $"({old})::uuid";
        }

        return $"({old})::{target}";
    }

    /// <summary>
    /// A serial column's sequence takes the column's new type; its MAXVALUE moves with it when it was the old type's
    /// maximum, and stays when it was set lower on purpose.
    /// </summary>
    public static SqlStep AlterSequence(PlannedColumn column) =>
        SqlStep.Of(
            StepKind.Write,
            $"Widen sequence {column.Sequence} of {column.Schema}.{column.Table}.{column.Column} to {column.To}",
            $"ALTER SEQUENCE {column.Sequence} AS {column.To}",
            new QualifiedName(column.Schema, column.Table)
        );

    public static PlanStep AlterTable(
        string schema,
        string table,
        IReadOnlyList<(string Column, string To, string? Default)> columns
    )
    {
        var subcommands = new List<string>();
        foreach (var (column, to, @default) in columns)
        {
            var quoted = SqlIdentifier.Quote(column);
            if (@default is not null)
            {
                subcommands.Add($"ALTER COLUMN {quoted} DROP DEFAULT");
            }

            subcommands.Add($"ALTER COLUMN {quoted} TYPE {to} USING {quoted}::{to}");
            if (@default is not null)
            {
                subcommands.Add($"ALTER COLUMN {quoted} SET DEFAULT {NewDefault(@default, to)}");
            }
        }

        return Step(
            StepKind.Rewrite,
            schema,
            table,
            $"Rewrite {schema}.{table} once, changing {string.Join(", ", columns.Select(c => c.Column))}",
            $"ALTER TABLE {Table(schema, table)}\n    " + string.Join(",\n    ", subcommands)
        );
    }

    public static PlanStep DropForeignKey(ForeignKeyFact fk) =>
        Step(
            StepKind.Drop,
            fk.Schema,
            fk.Table,
            $"Drop foreign key {fk.Name}",
            $"ALTER TABLE {Table(fk.Schema, fk.Table)} DROP CONSTRAINT {SqlIdentifier.Quote(fk.Name)}"
        );

    /// <summary>
    /// Re-creates a key with its exact definition; a validated one comes back NOT VALID, marked for validation after
    /// COMMIT.
    /// </summary>
    public static PlanStep AddForeignKey(ForeignKeyFact fk)
    {
        var sql =
            $"ALTER TABLE {Table(fk.Schema, fk.Table)} ADD CONSTRAINT {SqlIdentifier.Quote(fk.Name)} {fk.Definition}";
        if (!fk.ValidatedAfterCommit)
        {
            return Step(
                StepKind.Create,
                fk.Schema,
                fk.Table,
                fk.Validated
                    ? $"Re-create foreign key {fk.Name} and check it now (a key on a partitioned table cannot be NOT "
                        + "VALID)"
                    : $"Re-create foreign key {fk.Name} (NOT VALID, as it was)",
                sql
            );
        }

        return Step(
            StepKind.Create,
            fk.Schema,
            fk.Table,
            $"Re-create foreign key {fk.Name} NOT VALID; it is validated after COMMIT",
            $"{sql} NOT VALID;\nCOMMENT ON CONSTRAINT {SqlIdentifier.Quote(fk.Name)} ON {Table(fk.Schema, fk.Table)} "
                + $"IS '{PendingValidation}'"
        );
    }

    public static PlanStep ValidateForeignKey(ForeignKeyFact fk) =>
        Step(
            StepKind.Validate,
            fk.Schema,
            fk.Table,
            $"Validate foreign key {fk.Name}",
            $"ALTER TABLE {Table(fk.Schema, fk.Table)} VALIDATE CONSTRAINT {SqlIdentifier.Quote(fk.Name)};\n"
                + $"COMMENT ON CONSTRAINT {SqlIdentifier.Quote(fk.Name)} ON {Table(fk.Schema, fk.Table)} IS "
                + $"{(fk.Comment is null || fk.Comment == PendingValidation ? "NULL" : Literal(fk.Comment))}",
            StepPhase.AfterCommit
        );

    public static PlanStep Analyze(string schema, string table) =>
        Step(
            StepKind.Analyze,
            schema,
            table,
            "Refresh planner statistics (ALTER TYPE drops them)",
            $"ANALYZE {Table(schema, table)}",
            StepPhase.AfterCommit
        );

    public static PlanStep DropView(ViewFact view) =>
        Step(
            StepKind.Drop,
            view.Schema,
            view.Name,
            $"Drop {(view.Materialized ? "materialized view" : "view")} {view.Name} (re-created below)",
            $"DROP {(view.Materialized ? "MATERIALIZED VIEW" : "VIEW")} {Table(view.Schema, view.Name)}"
        );

    public static PlanStep CreateView(ViewFact view)
    {
        var name = Table(view.Schema, view.Name);
        var options = view.Options.Count == 0 ? string.Empty : $" WITH ({string.Join(", ", view.Options)})";
        var statements = new List<string>
        {
            $"CREATE {(view.Materialized ? "MATERIALIZED VIEW" : "VIEW")} {name}{options} "
                + $"AS\n{view.Definition.TrimEnd(';', ' ', '\n')}{(view.Materialized ? "\nWITH DATA" : string.Empty)}",
            $"ALTER {(view.Materialized ? "MATERIALIZED VIEW" : "VIEW")} {name} OWNER TO "
                + $"{SqlIdentifier.Quote(view.Owner)}",
        };
        statements.AddRange(view.IndexDefinitions);
        statements.AddRange(Grants(view.Acl, view.Owner, name));
        if (view.Comment is not null)
        {
            statements.Add(
                $"COMMENT ON {(view.Materialized ? "MATERIALIZED VIEW" : "VIEW")} {name} IS {Literal(view.Comment)}"
            );
        }

        statements.AddRange(
            view.ColumnComments.Select(c =>
                $"COMMENT ON COLUMN {name}.{SqlIdentifier.Quote(c.Column)} IS {Literal(c.Comment)}"
            )
        );
        return Step(
            StepKind.Create,
            view.Schema,
            view.Name,
            $"Re-create {(view.Materialized ? "materialized view" : "view")} {view.Name} with its owner, grants, "
                + $"comments{(view.Materialized ? ", indexes and data" : string.Empty)}",
            string.Join(";\n", statements)
        );
    }

    public static PlanStep DropPolicy(PolicyFact policy) =>
        Step(
            StepKind.Drop,
            policy.Schema,
            policy.Table,
            $"Drop policy {policy.Name} (re-created below)",
            $"DROP POLICY {SqlIdentifier.Quote(policy.Name)} ON {Table(policy.Schema, policy.Table)}"
        );

    public static PlanStep CreatePolicy(PolicyFact policy)
    {
        var command = policy.Command switch
        {
            "r" => "SELECT",
            "a" => "INSERT",
            "w" => "UPDATE",
            "d" => "DELETE",
            _ => "ALL",
        };
        var sql =
            $"CREATE POLICY {SqlIdentifier.Quote(policy.Name)} ON {Table(policy.Schema, policy.Table)} AS "
            + $"{(policy.Permissive ? "PERMISSIVE" : "RESTRICTIVE")} FOR {command} TO "
            + $"{string.Join(", ", policy.Roles)}"
            + (policy.Using is null ? string.Empty : $" USING ({policy.Using})")
            + (policy.WithCheck is null ? string.Empty : $" WITH CHECK ({policy.WithCheck})");
        return Step(StepKind.Create, policy.Schema, policy.Table, $"Re-create policy {policy.Name}", sql);
    }

    public static PlanStep DropTrigger(TriggerFact trigger) =>
        Step(
            StepKind.Drop,
            trigger.Schema,
            trigger.Table,
            $"Drop trigger {trigger.Name} (re-created below)",
            $"DROP TRIGGER {SqlIdentifier.Quote(trigger.Name)} ON {Table(trigger.Schema, trigger.Table)}"
        );

    public static PlanStep CreateTrigger(TriggerFact trigger) =>
        Step(StepKind.Create, trigger.Schema, trigger.Table, $"Re-create trigger {trigger.Name}", trigger.Definition);

    private static IEnumerable<string> Grants(string? acl, string owner, string name)
    {
        if (acl is null)
        {
            yield break;
        }

        foreach (var item in acl.Trim('{', '}').Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var entry = item.Trim('"');
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var slash = entry.IndexOf('/', StringComparison.Ordinal);
            var grantee = entry[..eq];
            if (grantee == owner)
            {
                continue;
            }

            var privileges = entry[(eq + 1)..(slash < 0 ? entry.Length : slash)];
            var to = grantee.Length == 0 ? "PUBLIC" : SqlIdentifier.Quote(grantee);
            foreach (var withOption in new[] { false, true })
            {
                // A '*' after a privilege letter means it was granted WITH GRANT OPTION.
                var names = privileges
                    .Select((p, i) => (p, Option: i + 1 < privileges.Length && privileges[i + 1] == '*'))
                    .Where(x => char.IsLetter(x.p) && x.Option == withOption)
                    .Select(x =>
                        x.p switch
                        {
                            'r' => "SELECT",
                            'a' => "INSERT",
                            'w' => "UPDATE",
                            'd' => "DELETE",
                            'D' => "TRUNCATE",
                            'x' => "REFERENCES",
                            't' => "TRIGGER",
                            _ => null,
                        }
                    )
                    .OfType<string>()
                    .ToList();
                if (names.Count > 0)
                {
                    yield return $"GRANT {string.Join(", ", names)} ON {name} TO "
                        + $"{to}{(withOption ? " WITH GRANT OPTION" : string.Empty)}";
                }
            }
        }
    }

    internal static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^\((.*)\)::(text|character varying(\(\d+\))?)$")]
    private static partial Regex TextCast();
}
