using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Completion;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Commands;

/// <summary>Stamps alembic_version with a revision, after checking the schema really is at that revision.</summary>
/// <remarks>
/// Every stamp tool writes the version without looking at the schema, which is how a drifted database
/// comes about. Set-AlembicVersion validates the revision against the history, compares the live schema
/// with the revision's expected schema and refuses when tables or columns differ (columns that differ
/// only in type are reported as warnings); -Force overrides, and the journal records that it did. It
/// writes only if alembic_version still holds what was read (or -ExpectedCurrent), in one transaction
/// under DbRecovery's advisory lock with a lock timeout, creating the table as Alembic does when absent.
/// -WhatIf shows every statement. Use 'base' to empty the table, several revisions for several heads.
/// </remarks>
/// <example>
/// <code>Set-AlembicVersion -Path ./backend -Revision c3a7b4bbf913 -WhatIf</code>
/// <para>Shows the statements that would stamp c3a7b4bbf913, after checking the schema matches it.</para>
/// </example>
/// <example>
/// <code>Find-AlembicRevision -Path ./backend | Select-Object -First 1 | Set-AlembicVersion -Confirm:$false</code>
/// <para>Stamps the revision the schema really corresponds to, without asking; the match brings its project. Piping all
/// the candidates is refused (SeveralInputsPiped).</para>
/// </example>
/// <example>
/// <code>Set-AlembicVersion -Path ./backend -Revision 58ea862c1242 -ExpectedCurrent dc2c0f69c1b1 -Force</code>
/// <para>Stamps 58ea862c1242 although the schema differs, only if the table still says dc2c0f69c1b1.</para>
/// </example>
/// <seealso cref="GetAlembicVersionCommand"/>
/// <seealso cref="FindAlembicRevisionCommand"/>
/// <seealso cref="InvokeAlembicUpgradeCommand"/>
[Cmdlet(VerbsCommon.Set, "AlembicVersion", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(AlembicVersionChange))]
[ParametersFrom(typeof(VersionTableParameter))]
public sealed partial class SetAlembicVersionCommand : SingleChangeCmdlet
{
    /// <summary>The Alembic project whose history validates the revision.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";

    /// <summary>The project of a RevisionMatch piped from Find-AlembicRevision, used when -Path is not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? ProjectPath { get; set; }

    /// <summary>
    /// The revision(s) to stamp: ids, unique prefixes, branch labels, head, or base to empty the table. Comma-separated
    /// sets (from Find-AlembicRevision) are split.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Revision { get; set; } = [];

    /// <summary>
    /// The rows alembic_version must hold for the stamp to go ahead; defaults to what is read when planning.
    /// </summary>
    [Parameter]
    public string[]? ExpectedCurrent { get; set; }

    /// <summary>
    /// Stamp even if the schema does not match the revision, or the revision is not in the history (with a warning,
    /// journaled).
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override string ChooseOne => "... | Select-Object -First 1, or name the revision with -Revision";

    /// <inheritdoc />
    protected override void Change()
    {
        Guarded(
            () =>
            {
                var path = FileSystemPath(
                    MyInvocation.BoundParameters.ContainsKey(nameof(Path)) ? Path : ProjectPath ?? Path
                );
                var plan = Run(
                    async (log, cancel) =>
                    {
                        var history = AlembicHistory.Load(path, log);
                        var revisions = Revision
                            .SelectMany(r =>
                                r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            )
                            .Where(r => r != "base")
                            .Select(r => Validate(history, r, log))
                            .Distinct()
                            .ToList();
                        return await VersionStamp
                            .PlanAsync(
                                Target,
                                StaticReplay.Run(history),
                                revisions,
                                QualifiedName.Parse(VersionTable),
                                ExpectedCurrent,
                                Force,
                                log,
                                cancel
                            )
                            .ConfigureAwait(false);
                    }
                );
                if (!ShouldApply(plan))
                {
                    return;
                }

                var journal = Journal(Force);
                WriteObject(Run((log, cancel) => VersionStamp.ApplyAsync(Target, plan, journal, log, cancel)));
            },
            () => string.Join(",", Revision)
        );
    }

    private string Validate(AlembicHistory history, string revision, Engine.Diagnostics.IRecoveryLog log)
    {
        try
        {
            return history.Resolve(revision).Revision;
        }
        catch (Engine.Diagnostics.RecoveryException ex) when (Force && ex.ErrorId == "RevisionNotFound")
        {
            log.Warning($"Stamping '{revision}', which the history does not contain, because -Force was given.");
            return revision;
        }
    }
}
