using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Completion;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Commands;

/// <summary>Runs alembic upgrade against a database, after the checks Alembic itself does not make.</summary>
/// <remarks>
/// Before running: the history has a single head (or -Revision names one, or heads), the revisions in
/// alembic_version exist in the history, and no other DbRecovery operation holds the advisory lock
/// (Alembic has no mutex of its own); the lock is held for the whole run. The database URL reaches
/// Alembic through an environment variable, never its command line. Alembic's output goes to the
/// verbose stream and each migration to the progress bar. A failure becomes an error carrying Alembic's
/// error text, password removed. -Sql returns the offline SQL script instead and changes nothing.
/// </remarks>
/// <example>
/// <code>Invoke-AlembicUpgrade -Path ./backend -Sql</code>
/// <para>Shows the SQL an upgrade from the stamped revision to head would run.</para>
/// </example>
/// <example>
/// <code>Invoke-AlembicUpgrade -Path ./backend -Revision head -AlembicCommand /usr/bin/python3,-m,alembic
/// -Verbose</code>
/// <para>Upgrades the database in $env:DATABASE_URL to head, showing Alembic's output.</para>
/// </example>
/// <seealso cref="TestAlembicUpgradeCommand"/>
/// <seealso cref="SetAlembicVersionCommand"/>
/// <seealso cref="TestRecoveryStateCommand"/>
[Cmdlet(VerbsLifecycle.Invoke, "AlembicUpgrade", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(AlembicVersionChange), typeof(string))]
[ParametersFrom(typeof(AlembicRunParameters), typeof(VersionTableParameter))]
public sealed partial class InvokeAlembicUpgradeCommand : StateChangingCmdlet
{
    /// <summary>The Alembic project: the folder with alembic.ini (or alembic.ini itself).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";

    /// <summary>The target revision: head (the default, when there is one head), heads, or a revision.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    [ValidateNotNullOrEmpty]
    public string Revision { get; set; } = "head";

    /// <summary>Return the SQL Alembic would run (offline mode) instead of running it.</summary>
    [Parameter]
    public SwitchParameter Sql { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Guarded(
            () =>
            {
                var path = FileSystemPath(Path);
                var cli = AlembicCli.For(path, AlembicCommand, UrlVariable);
                var versionTable = QualifiedName.Parse(VersionTable);
                if (Sql)
                {
                    WriteObject(
                        Run(
                            (log, cancel) =>
                                AlembicUpgrade.ScriptAsync(Target, cli, versionTable, Revision, log, cancel)
                        )
                    );
                    return;
                }

                var (before, pending) = Run(
                    async (log, cancel) =>
                    {
                        var rows = await AlembicVersionRow
                            .ReadAsync(Target, versionTable, log, cancel)
                            .ConfigureAwait(false);
                        return (
                            rows,
                            await AlembicUpgrade
                                .PreflightAsync(
                                    Target,
                                    AlembicHistory.Load(path, log),
                                    Revision,
                                    versionTable,
                                    log,
                                    cancel
                                )
                                .ConfigureAwait(false)
                        );
                    }
                );
                if (!ShouldApply(AlembicUpgrade.Plan(cli, Revision, pending, versionTable)))
                {
                    return;
                }

                var journal = Journal();
                var after = Run(
                    async (log, cancel) =>
                    {
                        await AlembicUpgrade
                            .RunAsync(Target, cli, Revision, pending, versionTable, journal, log, cancel)
                            .ConfigureAwait(false);
                        return await AlembicVersionRow
                            .ReadAsync(Target, versionTable, log, cancel)
                            .ConfigureAwait(false);
                    }
                );
                WriteObject(
                    new AlembicVersionChange
                    {
                        Target = Target.DisplayName,
                        VersionTable = VersionTable,
                        Previous = before?.Select(r => r.Revision).ToList() ?? [],
                        Current = after?.Select(r => r.Revision).ToList() ?? [],
                    }
                );
            },
            () => Path
        );
    }
}
