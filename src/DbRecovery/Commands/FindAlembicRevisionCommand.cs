using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;

namespace DbRecovery.Commands;

/// <summary>Finds which revision a live schema really corresponds to, ranked, with evidence.</summary>
/// <remarks>
/// Compares the live schema (or a SchemaState from Get-SchemaState or Import-SchemaState) with the
/// expected schema of every revision of the history, and of all heads together when there are several.
/// Tables, columns, keys, indexes and enum types decide the score: Score 1 means the schema is exactly
/// the revision's; an object both have but differently (a column's type, a key's ON DELETE, an enum's
/// labels) counts half, so columns that differ only in type (uuid against varchar(36)) are reported as
/// TypeMismatches and lower the score without derailing the answer. Revisions whose expected schemas are
/// identical (data-only or empty migrations) are reported together as EquallyLikely, never silently
/// picked. The best match explains itself in a sentence. With -Replay the expected schemas come from
/// real Alembic on an empty scratch database (see Get-RevisionSchema), which is emptied again afterwards.
/// </remarks>
/// <example>
/// <code>Find-AlembicRevision -Path ./backend -ConnectionString $env:DATABASE_URL | Select-Object -First 1 |
/// Format-List</code>
/// <para>Names the revision the database really is at and explains why.</para>
/// </example>
/// <example>
/// <code>Import-SchemaState ./prod.json | Find-AlembicRevision -Path ./backend -Top 3</code>
/// <para>Answers the same question from a snapshot, without access to the database.</para>
/// </example>
/// <seealso cref="SetAlembicVersionCommand"/>
/// <seealso cref="GetRecoveryPlanCommand"/>
/// <seealso cref="CompareSchemaStateCommand"/>
/// <seealso cref="GetAlembicVersionCommand"/>
[Cmdlet(VerbsCommon.Find, "AlembicRevision", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(RevisionMatch))]
[ParametersFrom(typeof(AlembicRunParameters))]
public sealed partial class FindAlembicRevisionCommand : DatabaseCmdlet
{
    private const string LiveSet = "Live";
    private const string SnapshotSet = "Snapshot";

    /// <summary>The Alembic project (folder with alembic.ini, the script folder, or a versions folder).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";

    /// <summary>A schema snapshot to examine instead of a live database.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SnapshotSet)]
    public SchemaState? InputObject { get; set; }

    /// <summary>How many candidates to return, best first.</summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int Top { get; set; } = 5;

    /// <summary>Compare with exact schemas built by real Alembic on an empty scratch database.</summary>
    [Parameter]
    public SwitchParameter Replay { get; set; }

    /// <summary>The empty scratch database for -Replay.</summary>
    [Parameter]
    public string? ScratchConnectionString { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (ParameterSetName == LiveSet)
        {
            base.BeginProcessing();
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        Guarded(
            () =>
            {
                var path = FileSystemPath(Path);
                var matches = Run(
                    async (log, cancel) =>
                    {
                        var history = AlembicHistory.Load(path, log);
                        var actual = InputObject
                            ?? await SchemaReader
                                .CaptureAsync(Target, new SchemaReadOptions(), log, cancel)
                                .ConfigureAwait(false);
                        var scratch = Replay ? RequiredScratch(ScratchConnectionString, "-Replay") : null;
                        var cli = Replay ? AlembicCli.For(path, AlembicCommand, UrlVariable) : null;
                        return await RevisionFinder
                            .FindAsync(history, actual, cli, scratch, Top, log, cancel)
                            .ConfigureAwait(false);
                    }
                );
                WriteObject(matches, enumerateCollection: true);
            },
            () => Path
        );
    }
}
