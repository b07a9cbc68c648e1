using DbRecovery.Engine.Alembic.Replay;
using Npgsql;

namespace DbRecovery.Engine.Tests.Alembic;

/// <summary>The type rules of the static upgrade check, each pair asked of PostgreSQL itself.</summary>
public sealed class TypeCompatibilityTests : DatabaseTest
{
    private static readonly string[] Types =
    [
        "uuid",
        "character varying(36)",
        "text",
        "character(36)",
        "integer",
        "bigint",
        "smallint",
        "numeric(12,2)",
        "double precision",
        "boolean",
        "date",
        "timestamp without time zone",
        "timestamp with time zone",
        "jsonb",
        "json",
    ];

    [Fact]
    public async Task Foreign_key_compatibility_is_what_postgresql_accepts() =>
        Assert.Empty(
            await DisagreementsAsync(
                (column, key) =>
                    key == "json"
                        ? null
                        : $"CREATE TABLE k (id {key} PRIMARY KEY); CREATE TABLE c (ref {column} REFERENCES k (id))",
                TypeCompatibility.CanReference
            )
        );

    [Fact]
    public async Task Automatic_casts_are_what_alter_column_type_accepts_without_using() =>
        Assert.Empty(
            await DisagreementsAsync(
                (from, to) => $"CREATE TABLE t (v {from}); ALTER TABLE t ALTER COLUMN v TYPE {to}",
                TypeCompatibility.CanCastAutomatically
            )
        );

    [Theory]
    [InlineData("character varying(36)", "character varying")]
    [InlineData("numeric(12, 2)", "numeric")]
    [InlineData("timestamp(3) with time zone", "timestamp with time zone")]
    [InlineData("  UUID ", "uuid")]
    public void Modifiers_do_not_matter(string type, string expected) =>
        Assert.Equal(expected, TypeCompatibility.BaseOf(type));

    /// <summary>
    /// Each pair of types for which PostgreSQL, running <paramref name="sql"/> (null: no such case), and
    /// <paramref name="rule"/> disagree.
    /// </summary>
    private async Task<List<string>> DisagreementsAsync(
        Func<string, string, string?> sql,
        Func<string, string, bool> rule
    )
    {
        var wrong = new List<string>();
        await using var connection = await Database.OpenAsync();
        foreach (var first in Types)
        {
            foreach (var second in Types)
            {
                if (
                    sql(first, second) is { } statement
                    && await SucceedsAsync(connection, statement) is var accepted
                    && accepted != rule(first, second)
                )
                {
                    wrong.Add($"{first}, {second}: PostgreSQL {(accepted ? "accepts" : "refuses")}");
                }
            }
        }

        return wrong;
    }

    private static async Task<bool> SucceedsAsync(NpgsqlConnection connection, string sql)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        try
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException)
        {
            return false;
        }
        finally
        {
            await transaction.RollbackAsync();
        }
    }
}
