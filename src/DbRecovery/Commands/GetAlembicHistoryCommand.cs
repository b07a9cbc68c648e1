using System.Management.Automation;
using DbRecovery.Engine.Alembic;

namespace DbRecovery.Commands;

/// <summary>Reads an Alembic project's revision history from its migration files, without Python.</summary>
/// <remarks>
/// Honours script_location, version_locations and recursive_version_locations of alembic.ini. Each
/// file is read with a real Python tokenizer: revision, down_revision (one, several for a merge, or
/// none), branch_labels and depends_on in every form projects use, the docstring's message and Create
/// Date, and the operations of upgrade(). Revisions come out in topological order, bases first. A file
/// that cannot be fully read gives a warning naming the file and line; the rest of the history is
/// unaffected. A cycle, an unknown down_revision or a duplicate revision id is an error.
/// </remarks>
/// <example>
/// <code>Get-AlembicHistory -Path ./backend</code>
/// <para>Lists every revision of the project whose alembic.ini is in ./backend, oldest first.</para>
/// </example>
/// <example>
/// <code>Get-AlembicHistory -Path ./backend | Where-Object IsHead</code>
/// <para>Shows the heads of the history.</para>
/// </example>
/// <example>
/// <code>Get-AlembicHistory -Path ./backend | Where-Object OpaqueOperations -gt 0 | ForEach-Object Path</code>
/// <para>Lists the migration files with operations the static replay cannot apply.</para>
/// </example>
/// <seealso cref="GetRevisionSchemaCommand"/>
/// <seealso cref="FindAlembicRevisionCommand"/>
/// <seealso cref="GetAlembicVersionCommand"/>
[Cmdlet(VerbsCommon.Get, "AlembicHistory")]
[OutputType(typeof(AlembicRevision))]
public sealed class GetAlembicHistoryCommand : RecoveryCmdlet
{
    /// <summary>
    /// The Alembic project: the folder with alembic.ini, alembic.ini itself, the script folder, or a versions folder.
    /// </summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Guarded(
            () =>
            {
                var history = Run((log, _) => Task.FromResult(AlembicHistory.Load(FileSystemPath(Path), log)));
                WriteObject(history.Revisions, enumerateCollection: true);
            },
            () => Path
        );
    }
}
