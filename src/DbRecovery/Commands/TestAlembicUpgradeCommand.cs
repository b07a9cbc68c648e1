using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Completion;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Planning;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Commands;

/// <summary>Tells whether alembic upgrade will succeed on a database, before it is run, and what would fail.</summary>
/// <remarks>
/// Replays the revisions still to run (from -From, by default the revision the schema really is at, as
/// Find-AlembicRevision finds it, to -To, by default the heads) over the live schema and reports each
/// operation PostgreSQL would reject: a foreign key whose column type has no equality operator with the
/// referenced key's type (varchar against uuid), a foreign key to columns without a unique key, a table,
/// column, index, constraint or type that already exists or is missing, a NOT NULL column without a default
/// added to a table that has rows (asked of the table, not of estimates), a type change without a cast, a
/// table dropped while others reference it. Python and SQL the replay cannot read are reported as
/// Unpredictable. The Verdict is WillFail when anything would fail, Unknown when nothing would but some
/// revisions cannot be predicted, WillSucceed otherwise.
/// With -ScratchConnectionString the answer is exact: the live schema (no data) is copied into that empty
/// database with pg_dump --schema-only, stamped at -From and upgraded with real Alembic; the first failure
/// is reported with Alembic's error, its SQLSTATE, the revision and the object, and the scratch database is
/// emptied afterwards. The database itself is only read. The copy holds no rows, so what fails only with data
/// (NOT NULL on a table with rows, a data migration) shows in Invoke-RecoveryPlan -Rehearse, which runs on a
/// copy restored from the backup.
/// </remarks>
/// <example>
/// <code>Test-AlembicUpgrade -Path ./backend | Format-List</code>
/// <para>Says whether upgrading from the revision the schema really is at to head would succeed, and why not.</para>
/// </example>
/// <example>
/// <code>Test-AlembicUpgrade -Path ./backend -ScratchConnectionString $scratch -AlembicCommand
/// /usr/bin/python3,-m,alembic</code>
/// <para>Runs the upgrade with real Alembic on a copy of the schema and reports the first revision that fails.</para>
/// </example>
/// <seealso cref="InvokeAlembicUpgradeCommand"/>
/// <seealso cref="GetRecoveryPlanCommand"/>
[Cmdlet(VerbsDiagnostic.Test, "AlembicUpgrade")]
[OutputType(typeof(UpgradeReport))]
[ParametersFrom(
    typeof(AlembicProjectParameter),
    typeof(ToRevisionParameter),
    typeof(AlembicRunParameters),
    typeof(VersionTableParameter),
    typeof(PgBinPathParameter)
)]
public sealed partial class TestAlembicUpgradeCommand : DatabaseCmdlet
{
    /// <summary>The revision(s) the database is at; by default the revision its schema really matches.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public string[]? From { get; set; }

    /// <summary>
    /// An empty scratch database: rehearse with real Alembic on a copy of the schema for the exact answer.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScratchConnectionString { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Guarded(
            () =>
            {
                var path = FileSystemPath(Path);
                var scratch = OptionalScratch(ScratchConnectionString);
                var pgBin = PgBinFolder(PgBinPath);
                var report = Run(
                    async (log, cancel) =>
                    {
                        var history = AlembicHistory.Load(path, log);
                        var versionTable = QualifiedName.Parse(VersionTable);
                        var live = await SchemaReader
                            .CaptureAsync(Target, new SchemaReadOptions { VersionTable = VersionTable }, log, cancel)
                            .ConfigureAwait(false);
                        var from = From?.Select(f => history.Resolve(f).Revision).ToList()
                            ?? TrueRevision(history, live, log);
                        var to = To == "heads" ? history.Heads : [history.Resolve(To).Revision];
                        if (scratch is not null)
                        {
                            return await UpgradeRehearsal
                                .RunAsync(
                                    Target,
                                    scratch,
                                    history,
                                    AlembicCli.For(path, AlembicCommand, UrlVariable),
                                    from,
                                    to,
                                    To,
                                    PgTools.Locate(pgBin),
                                    log,
                                    cancel
                                )
                                .ConfigureAwait(false);
                        }

                        var rows = await TableRows
                            .NonEmptyAsync(
                                Target,
                                StaticUpgradeCheck.RowSensitiveTables(history.Path(from, to)),
                                log,
                                cancel
                            )
                            .ConfigureAwait(false);
                        return StaticUpgradeCheck.Run(history, live, from, to, rows) with
                        {
                            Database = Target.DisplayName,
                        };
                    }
                );
                WriteObject(report);
            },
            () => Path
        );
    }

    private static List<string> TrueRevision(
        AlembicHistory history,
        SchemaState live,
        Engine.Diagnostics.IRecoveryLog log
    )
    {
        var (revisions, best, note) = RecoveryPlanner.TrueRevisions(StaticReplay.Run(history), live);
        log.Verbose($"From {string.Join(", ", revisions)}: {note ?? best.Explanation}");
        return [.. revisions];
    }
}
