using System.Globalization;
using System.Management.Automation;
using DbRecovery.Completion;
using DbRecovery.Engine.Conversion;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Commands;

/// <summary>Converts key columns between uuid and varchar(36), with every column and foreign key that references them.</summary>
/// <remarks>
/// The columns converted are those linked to the named keys by foreign keys in pg_catalog, in either
/// direction, through composite keys, self-references, other schemas and partitioned tables; a column
/// that merely looks related (a uuid owner_id without a foreign key) is listed, not touched. Foreign keys
/// come back with the same names and definitions, views and materialized views with their owners, grants,
/// comments, indexes and data, defaults cast to the new type (gen_random_uuid() becomes
/// (gen_random_uuid())::character varying(36) and back), RLS policies and triggers re-created. Objects it
/// cannot carry (a partition key, a typed table, a rule, an expression index, a generated column, an
/// extension's table) stop it before anything changes, named. Each table is rewritten once, in one
/// transaction under DbRecovery's lock and lock_timeout. Before COMMIT it checks the types, foreign keys,
/// views and defaults, the row counts and a checksum of every converted column's values; any mismatch rolls
/// back. Foreign keys are re-created NOT VALID inside the locked window and validated after COMMIT in
/// parallel connections; a rerun finishes validations a crash interrupted. Converting to uuid first proves
/// every value is a UUID. Already-converted columns are skipped, so a second run changes nothing.
/// </remarks>
/// <example>
/// <code>Convert-IdColumns -Table users, organizations -To 'varchar(36)' -WhatIf</code>
/// <para>Shows every statement of the conversion of users.id and organizations.id and all that references them.</para>
/// </example>
/// <example>
/// <code>Convert-IdColumns -Table users, organizations -AsScript | Out-File convert.sql; Convert-IdColumns -Table users, organizations -AsScript -Inverse | Out-File convert-back.sql</code>
/// <para>Writes the conversion and its inverse as reviewable SQL scripts, changing nothing.</para>
/// </example>
/// <example>
/// <code>(Find-AlembicRevision -Path ./backend)[0].TypeMismatches | Where-Object Column -eq id | Convert-IdColumns -To 'varchar(36)' -Confirm:$false</code>
/// <para>Converts the key columns whose type drifted from what the history expects, without asking.</para>
/// </example>
/// <seealso cref="GetRecoveryPlanCommand"/>
/// <seealso cref="BackupDatabaseCommand"/>
/// <seealso cref="TestRecoveryStateCommand"/>
/// <seealso cref="GetRecoveryJournalCommand"/>
[Cmdlet(VerbsData.Convert, "IdColumns", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ColumnConversion), typeof(string))]
public sealed class ConvertIdColumnsCommand : StateChangingCmdlet
{
    private readonly List<ConversionRoot> _roots = [];

    /// <summary>The tables whose keys to convert, optionally schema-qualified (schema.table).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(TableCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Table { get; set; } = [];

    /// <summary>The tables' schema, when not given in -Table.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SchemaCompleter))]
    public string? Schema { get; set; }

    /// <summary>The key column; defaults to the single-column primary key.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ColumnCompleter))]
    public string? Column { get; set; }

    /// <summary>The target type: varchar(36) (or any varchar of 36 or more, or text) or uuid.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string To { get; set; } = "varchar(36)";

    /// <summary>Write the whole conversion as one SQL script instead of running it.</summary>
    [Parameter]
    public SwitchParameter AsScript { get; set; }

    /// <summary>With -AsScript: write the script that converts back.</summary>
    [Parameter]
    public SwitchParameter Inverse { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var table in Table)
        {
            try
            {
                var name = QualifiedName.Parse(table);
                _roots.Add(new ConversionRoot(name.Schema ?? Schema, name.Name, Column));
            }
            catch (Engine.Diagnostics.RecoveryException ex)
            {
                ThrowFailure(ex, table);
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            var plan = Run((log, cancel) => IdConversion.PlanAsync(Target, _roots, To, log, cancel));
            Report(plan);
            if (AsScript)
            {
                WriteObject(Inverse ? plan.ToInverseScript(LockTimeout) : plan.ToScript(LockTimeout));
                return;
            }

            if (plan.IsEmpty)
            {
                WriteWarning($"Nothing to convert: every column linked to {string.Join(", ", _roots)} is already {To}.");
                return;
            }

            if (!ShouldApply(plan))
            {
                return;
            }

            var journal = Journal();
            WriteObject(Run((log, cancel) => IdConversion.ApplyAsync(Target, plan, journal, log, cancel)), enumerateCollection: true);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowFailure(ex, string.Join(", ", _roots));
        }
    }

    private void Report(IdConversionPlan plan)
    {
        foreach (var rewrite in plan.Rewrites)
        {
            WriteVerbose(string.Create(CultureInfo.InvariantCulture,
                $"{rewrite.Schema}.{rewrite.Table}: {rewrite.Columns} column(s), about {rewrite.EstimatedRows} rows, {rewrite.SizeBytes / 1048576.0:F1} MiB, rewritten once under an {rewrite.Lock} lock"));
        }

        WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"The rewrites need up to {plan.DiskNeededBytes / 1048576.0:F1} MiB free on the server's data volume."));
        foreach (var skipped in plan.AlreadyConverted)
        {
            WriteVerbose($"{skipped.Schema}.{skipped.Table}.{skipped.Column} is already {skipped.To}; skipped.");
        }

        foreach (var warning in plan.NotLinked.Concat(plan.Warnings))
        {
            WriteWarning(warning);
        }
    }
}
