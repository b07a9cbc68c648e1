using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Language;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Completion;

/// <summary>
/// Completes names from the database the command line names (-ConnectionString and -Credential, else
/// $env:DATABASE_URL). The prompt waits at most two seconds; a read still running then fills the cache for the
/// next Tab. Names are cached per database and kind for a minute, a failed read for fifteen seconds.
/// </summary>
public abstract class CatalogCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Freshness = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a failed read (server down, wrong password) is remembered, so each Tab does not wait again.
    /// </summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(15);
    private static readonly ConcurrentDictionary<
        (string Target, CatalogNameKind Kind, string? Table),
        (DateTime At, Task<IReadOnlyList<string>> Names)
    > Cache = new();

    /// <summary>Which names this completer offers.</summary>
    protected abstract CatalogNameKind Kind { get; }

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters
    )
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        ConnectionTarget target;
        try
        {
            target = Commands.DatabaseCmdlet.TargetOf(
                fakeBoundParameters["ConnectionString"] as string,
                fakeBoundParameters["Credential"] as PSCredential
            );
        }
        catch (RecoveryException)
        {
            return [];
        }

        var table = Kind is CatalogNameKind.Column or CatalogNameKind.KeyColumn
            ? LanguagePrimitives.ConvertTo<string[]>(fakeBoundParameters["Table"])?.FirstOrDefault()
            : null;
        var entry = Cache.AddOrUpdate(
            (target.DisplayName, Kind, table),
            _ => Read(target, table),
            (_, cached) =>
                DateTime.UtcNow - cached.At < (cached.Names.IsFaulted ? RetryAfter : Freshness)
                    ? cached
                    : Read(target, table)
        );
        try
        {
            if (!entry.Names.Wait(Wait))
            {
                return [];
            }
        }
        catch (AggregateException)
        {
            return [];
        }

        // public's tables complete bare (cu → customers) and, once the schema is typed, qualified (public.cu).
        var qualified = wordToComplete.Contains('.', StringComparison.Ordinal);
        var names = entry.Names.Result.Where(n =>
            Kind != CatalogNameKind.Table
            || (
                qualified
                    ? n.Contains('.', StringComparison.Ordinal)
                    : !n.StartsWith("public.", StringComparison.Ordinal)
            )
        );
        return CompletionMatches.Of(wordToComplete, names.Select(name => (name, name)));
    }

    private (DateTime At, Task<IReadOnlyList<string>> Names) Read(ConnectionTarget target, string? table) =>
        (DateTime.UtcNow, Task.Run(() => CatalogNames.ReadAsync(target, Kind, table, Wait, CancellationToken.None)));
}

/// <summary>Completes -Table from the database on the command line.</summary>
public sealed class TableCompleter : CatalogCompleter
{
    /// <inheritdoc />
    protected override CatalogNameKind Kind => CatalogNameKind.Table;
}

/// <summary>Completes -Schema from the database on the command line.</summary>
public sealed class SchemaCompleter : CatalogCompleter
{
    /// <inheritdoc />
    protected override CatalogNameKind Kind => CatalogNameKind.Schema;
}

/// <summary>Completes -Column from the columns of the -Table on the command line.</summary>
public sealed class ColumnCompleter : CatalogCompleter
{
    /// <inheritdoc />
    protected override CatalogNameKind Kind => CatalogNameKind.Column;
}

/// <summary>Completes -Column of a key conversion from the key columns (primary, unique or foreign) of the -Table on
/// the command line: the columns it can convert.</summary>
public sealed class KeyColumnCompleter : CatalogCompleter
{
    /// <inheritdoc />
    protected override CatalogNameKind Kind => CatalogNameKind.KeyColumn;
}

/// <summary>Completes -Role from the roles of the database's server.</summary>
public sealed class RoleCompleter : CatalogCompleter
{
    /// <inheritdoc />
    protected override CatalogNameKind Kind => CatalogNameKind.Role;
}

/// <summary>Completes -VersionTable from the tables that have Alembic's version_num column.</summary>
public sealed class VersionTableCompleter : CatalogCompleter
{
    /// <inheritdoc />
    protected override CatalogNameKind Kind => CatalogNameKind.VersionTable;
}
