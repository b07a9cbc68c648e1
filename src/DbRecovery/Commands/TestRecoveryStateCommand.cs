using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Planning;
using DbRecovery.Engine.Verification;

namespace DbRecovery.Commands;

/// <summary>The post-recovery checklist, one Pass/Fail/Warning object per check.</summary>
/// <remarks>
/// Checks that the database is reachable (with its server version); with -Path, that alembic_version is at
/// the history's head(s) and that the schema has no differences from the head's: the head real Alembic builds from
/// empty with -ScratchConnectionString (a key the history contradicts itself about converted as the recovery resolves
/// it, and the key types the application's models declare taken over the revisions'), else the static replay's
/// prediction of it (-AllowDifference lists kinds
/// or tables that may differ); each -ExpectTable exists; each -ExpectColumnType holds (users.id=varchar(36));
/// every foreign key is validated and has no orphan rows (one anti-join per key, in one batch); each -HealthUrl
/// answers 2xx within -TimeoutSec, optionally with a JSON property ('https://app/health|database_configured=true').
/// Nothing is changed. -FailOnError turns any Fail into a terminating error, so a runbook stops.
/// </remarks>
/// <example>
/// <code>Test-RecoveryState -Path ./backend -ExpectTable folders, pipeline_templates -ExpectColumnType
/// 'users.id=varchar(36)', 'organizations.id=varchar(36)'</code>
/// <para>Runs the incident's checklist against the database in $env:DATABASE_URL.</para>
/// </example>
/// <example>
/// <code>Test-RecoveryState -Path ./backend -HealthUrl 'https://api.example.test/health|database_configured=true'
/// -FailOnError</code>
/// <para>Stops the runbook unless the database and the deployed service are both healthy.</para>
/// </example>
/// <seealso cref="GetRecoveryPlanCommand"/>
/// <seealso cref="InvokeRecoveryPlanCommand"/>
[Cmdlet(VerbsDiagnostic.Test, "RecoveryState")]
[OutputType(typeof(RecoveryCheck))]
[ParametersFrom(typeof(AlembicRunParameters))]
public sealed partial class TestRecoveryStateCommand : DatabaseCmdlet
{
    /// <summary>The Alembic project whose head the database must be at.</summary>
    [Parameter]
    public string? Path { get; set; }

    /// <summary>
    /// An empty scratch database where real Alembic builds the head from empty, the exact reference of the schema check
    /// (otherwise the static replay's head is); emptied again afterwards.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScratchConnectionString { get; set; }

    /// <summary>Difference kinds (e.g. ExtraIndex) or tables that may differ from the head's schema.</summary>
    [Parameter]
    public string[] AllowDifference { get; set; } = [];

    /// <summary>Tables that must exist.</summary>
    [Parameter]
    public string[] ExpectTable { get; set; } = [];

    /// <summary>Column types that must hold, as table.column=type.</summary>
    [Parameter]
    public string[] ExpectColumnType { get; set; } = [];

    /// <summary>Health endpoints that must answer 2xx, optionally url|property=value.</summary>
    [Parameter]
    public string[] HealthUrl { get; set; } = [];

    /// <summary>How long each health endpoint may take, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 10;

    /// <summary>Stop with a terminating error when any check fails.</summary>
    [Parameter]
    public SwitchParameter FailOnError { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        IReadOnlyList<RecoveryCheck> checks = [];
        Guarded(
            () =>
            {
                var options = new ChecklistOptions
                {
                    AlembicPath = Path is null ? null : FileSystemPath(Path),
                    AllowedDifferences = AllowDifference,
                    ExpectedTables = ExpectTable,
                    ExpectedColumnTypes = ExpectColumnType,
                    HealthUrls = HealthUrl,
                    HealthTimeout = TimeSpan.FromSeconds(TimeoutSec),
                };
                var scratch = OptionalScratch(ScratchConnectionString);
                checks = Run(
                    async (log, cancel) =>
                    {
                        if (scratch is not null && options.AlembicPath is { } path)
                        {
                            var cli = AlembicCli.For(path, AlembicCommand, UrlVariable);
                            var (head, error, declared) = await ExactHead
                                .ReferenceAsync(AlembicHistory.Load(path, log), cli, scratch, log, cancel)
                                .ConfigureAwait(false);
                            if (error is not null)
                            {
                                log.Warning(
                                    $"Real Alembic cannot build this history's head from empty ({error}); the schema "
                                        + "is compared with the static replay's head."
                                );
                            }

                            options = options with { Reference = head, ResolvedColumnTypes = declared };
                        }

                        return await RecoveryChecklist.RunAsync(Target, options, log, cancel).ConfigureAwait(false);
                    }
                );
            },
            () => Target.DisplayName
        );

        WriteObject(checks, enumerateCollection: true);
        var failed = checks.Where(c => c.Status == "Fail").ToList();
        if (FailOnError && failed.Count > 0)
        {
            ThrowFailure(
                new RecoveryException(
                    "RecoveryCheckFailed",
                    FailureKind.InvalidOperation,
                    $"{failed.Count} recovery checks failed: "
                        + $"{string.Join("; ", failed.Select(f => $"{f.Name}: {f.Detail}"))}",
                    Target.DisplayName
                ),
                Target.DisplayName
            );
        }
    }
}
