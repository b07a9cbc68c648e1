using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// PostgreSQL's SQLSTATE for the psycopg2 error class an Alembic traceback names
/// (<c>psycopg2.errors.DatatypeMismatch</c>).
/// </summary>
internal static partial class PsycopgErrors
{
    private static readonly Dictionary<string, string> States = new(StringComparer.Ordinal)
    {
        ["DatatypeMismatch"] = "42804",
        ["DuplicateTable"] = "42P07",
        ["DuplicateColumn"] = "42701",
        ["DuplicateObject"] = "42710",
        ["UndefinedTable"] = "42P01",
        ["UndefinedColumn"] = "42703",
        ["UndefinedObject"] = "42704",
        ["UndefinedFunction"] = "42883",
        ["InvalidForeignKey"] = "42830",
        ["DependentObjectsStillExist"] = "2BP01",
        ["NotNullViolation"] = "23502",
        ["ForeignKeyViolation"] = "23503",
        ["UniqueViolation"] = "23505",
        ["CheckViolation"] = "23514",
        ["CannotCoerce"] = "42846",
        ["InvalidTextRepresentation"] = "22P02",
        ["DivisionByZero"] = "22012",
        ["SyntaxError"] = "42601",
        ["RaiseException"] = "P0001",
        ["FeatureNotSupported"] = "0A000",
        ["InsufficientPrivilege"] = "42501",
        ["LockNotAvailable"] = "55P03",
    };

    /// <summary>The SQLSTATE, or null when the error names no psycopg2 error class this table knows.</summary>
    public static string? SqlStateOf(string error) =>
        ErrorClass().Match(error) is { Success: true } match && States.TryGetValue(match.Groups[1].Value, out var state)
            ? state
            : null;

    /// <summary>
    /// The first object the error names in double quotes, e.g. the relation of <c>relation "folders" already
    /// exists</c>.
    /// </summary>
    public static string? ObjectOf(string error) =>
        Quoted().Match(error) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@"psycopg2\.errors\.(\w+)")]
    private static partial Regex ErrorClass();

    [GeneratedRegex("\"([^\"]+)\"")]
    private static partial Regex Quoted();
}
