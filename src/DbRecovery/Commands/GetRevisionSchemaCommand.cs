using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Completion;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;

namespace DbRecovery.Commands;

/// <summary>The schema a revision should have, as a SchemaState that compares directly with Get-SchemaState.</summary>
/// <remarks>
/// By default the operations read from the migration files are replayed statically from base to the
/// revision, SQLAlchemy types mapped to PostgreSQL's. With -Replay, real Alembic upgrades an empty scratch
/// database one revision at a time and each step is snapshotted with the same catalog reader; the
/// scratch database must be empty and is the only database it connects to, and the URL reaches Alembic
/// through an environment variable. A revision whose upgrade fails is reported with Alembic's error, and
/// it and the revisions after it fall back to the static replay (Origin says which). With -Models the schema is
/// the one the application's code expects instead: env.py is run with real Python the way Alembic runs it, the
/// target_metadata it hands Alembic is built with create_all() on the empty scratch database, snapshotted, and
/// the scratch database emptied again; a project whose env.py has no target_metadata is an error (NoTargetMetadata).
/// </remarks>
/// <example>
/// <code>Get-RevisionSchema -Path ./backend -Revision c3a7b4bbf913 | ForEach-Object Tables</code>
/// <para>Lists the tables revision c3a7b4bbf913 defines, by static replay.</para>
/// </example>
/// <example>
/// <code>Get-RevisionSchema -Path ./backend -Revision head -Replay -ScratchConnectionString
/// 'postgresql://ops@localhost/scratch' -AlembicCommand /usr/bin/python3,-m,alembic</code>
/// <para>Builds the head's exact schema with real Alembic on an empty scratch database.</para>
/// </example>
/// <example>
/// <code>Get-SchemaState | Compare-SchemaState -Reference (Get-RevisionSchema -Path ./backend -Models
/// -ScratchConnectionString $scratch -AlembicCommand /usr/bin/python3,-m,alembic)</code>
/// <para>Compares the database with what the application's models expect.</para>
/// </example>
/// <seealso cref="GetAlembicHistoryCommand"/>
/// <seealso cref="CompareSchemaStateCommand"/>
/// <seealso cref="FindAlembicRevisionCommand"/>
[Cmdlet(VerbsCommon.Get, "RevisionSchema")]
[OutputType(typeof(SchemaState))]
[ParametersFrom(typeof(AlembicRunParameters))]
public sealed partial class GetRevisionSchemaCommand : RecoveryCmdlet
{
    /// <summary>The Alembic project (folder with alembic.ini, the script folder, or a versions folder).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";

    /// <summary>The revision(s): ids, unique prefixes, branch labels, or head/heads. Defaults to every head.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Revision { get; set; } = ["heads"];

    /// <summary>Replay with real Alembic on an empty scratch database instead of statically.</summary>
    [Parameter]
    public SwitchParameter Replay { get; set; }

    /// <summary>
    /// The schema the application's models build (env.py's target_metadata, create_all() on the scratch database)
    /// instead of a revision's.
    /// </summary>
    [Parameter]
    public SwitchParameter Models { get; set; }

    /// <summary>
    /// The empty scratch database for -Replay and -Models (a postgresql:// URL or Npgsql key=value string).
    /// </summary>
    [Parameter]
    public string? ScratchConnectionString { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        Guarded(
            () =>
            {
                var path = FileSystemPath(Path);
                var states = Run(
                    async (log, cancel) =>
                    {
                        if (Models)
                        {
                            var modelsScratch = RequiredScratch(ScratchConnectionString, "-Models");
                            var models = await ModelSchema
                                .BuildAsync(
                                    AlembicCli.For(path, AlembicCommand, UrlVariable),
                                    modelsScratch,
                                    log,
                                    cancel
                                )
                                .ConfigureAwait(false)
                                ?? throw new Engine.Diagnostics.RecoveryException(
                                    "NoTargetMetadata",
                                    Engine.Diagnostics.FailureKind.ObjectNotFound,
                                    $"The env.py of '{path}' hands Alembic no target_metadata, so there are no "
                                        + "models to read.",
                                    path
                                );
                            return [models];
                        }

                        var history = AlembicHistory.Load(path, log);
                        var revisions = Revision
                            .SelectMany(r => r == "heads" ? history.Heads : [history.Resolve(r).Revision])
                            .Distinct()
                            .ToList();
                        var replay = StaticReplay.Run(history);
                        if (!Replay)
                        {
                            return revisions.Select(replay.SchemaOf).ToList();
                        }

                        var scratch = RequiredScratch(ScratchConnectionString, "-Replay");
                        var exact = await AlembicReplay
                            .RunAsync(
                                history,
                                AlembicCli.For(path, AlembicCommand, UrlVariable),
                                scratch,
                                revisions,
                                log,
                                cancel
                            )
                            .ConfigureAwait(false);
                        return revisions
                            .Select(r =>
                                exact.Schemas.TryGetValue(r, out var state)
                                    ? state
                                    : Fallback(replay, history, exact, r)
                            )
                            .ToList();
                    }
                );
                WriteObject(states, enumerateCollection: true);
            },
            () => Path
        );
    }

    private static SchemaState Fallback(
        StaticReplay replay,
        AlembicHistory history,
        AlembicReplayResult exact,
        string revision
    )
    {
        var failed = exact.Failures.First(f => history.IsAncestor(f.Key, revision));
        return replay.SchemaOf(revision) with
        {
            Origin = $"static replay of {revision} (alembic upgrade {failed.Key} failed: {failed.Value})",
        };
    }
}
