using System.Globalization;
using System.Management.Automation;
using DbRecovery.Completion;
using DbRecovery.Engine.Conversion;
using DbRecovery.Engine.Conversion.Online;
using DbRecovery.Engine.Sql;
using DbRecovery.Hosting;

namespace DbRecovery.Commands;

/// <summary>
/// Converts key columns between uuid and varchar(36), or widens integer keys to bigint, with every column and
/// foreign key that references them.
/// </summary>
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
///
/// With -Online the application keeps reading and writing throughout, at the price of more total work: each
/// converted column gets a shadow column of the new type, kept equal to the cast of the original by a trigger;
/// the existing rows are copied in short batches by -Jobs sessions (-BatchSize,
/// -BatchDelay, paused while a replica lags more than -MaxLagSeconds), with the progress kept in the database's
/// _dbrecovery schema so a rerun after any failure continues where it stopped; a CHECK that the shadows equal the
/// casts is added (NOT VALID); every index on the columns gets a twin built CONCURRENTLY and the CHECK is validated
/// (reads and writes continue), which proves every row. Then one short
/// transaction over all the tables swaps the shadows in by renaming (metadata only: its length does not grow
/// with the rows), attaches the keys USING INDEX, re-creates views, policies, triggers, defaults and foreign
/// keys (NOT VALID, validated after COMMIT) with their names, and a contract drops the old columns. The
/// converted columns move to the end of their tables (SELECT * and COPY without a column list see them last).
/// Each lock is tried with -LockTimeout (0.5 s unless given) and retried with growing pauses, so it never
/// queues long in front of the application. Convert-IdColumns -Abort removes everything an unfinished online
/// conversion added. Partitioned or published tables, materialized views over the columns, CHECK constraints
/// naming them and column-level grants are refused with -Online; convert those offline.
/// </remarks>
/// <example>
/// <code>Convert-IdColumns -Table users, organizations -To 'varchar(36)' -WhatIf</code>
/// <para>Shows every statement of the conversion of users.id and organizations.id and all that references them.</para>
/// </example>
/// <example>
/// <code>Convert-IdColumns -Table users, organizations -AsScript | Out-File convert.sql; Convert-IdColumns -Table
/// users, organizations -AsScript -Inverse | Out-File convert-back.sql</code>
/// <para>Writes the conversion and its inverse as reviewable SQL scripts, changing nothing.</para>
/// </example>
/// <example>
/// <code>(Find-AlembicRevision -Path ./backend)[0].TypeMismatches | Where-Object Column -eq id | Convert-IdColumns -To
/// 'varchar(36)' -Confirm:$false</code>
/// <para>Converts the key columns whose type drifted from what the history expects, without asking.</para>
/// </example>
/// <example>
/// <code>Convert-IdColumns -Table users, organizations -To 'varchar(36)' -Online -BatchSize 2000 -BatchDelay 0.05
/// -Confirm:$false</code>
/// <para>Converts while the application keeps working, 2000 rows a batch with a 50 ms pause between; rerun the same
/// command to continue after an interruption.</para>
/// </example>
/// <example>
/// <code>Get-KeyCapacity | Where-Object UsedPercent -gt 50 | ForEach-Object { $_.Key } | Convert-IdColumns -To bigint
/// -WhatIf</code>
/// <para>Shows the widening to bigint of every integer key past half its range, with the columns that reference
/// it and its sequence.</para>
/// </example>
/// <example>
/// <code>Convert-IdColumns -Abort -WhatIf</code>
/// <para>Shows what removing an unfinished online conversion would drop: shadow columns, triggers, indexes and its
/// state.</para>
/// </example>
/// <seealso cref="GetRecoveryPlanCommand"/>
/// <seealso cref="BackupDatabaseCommand"/>
/// <seealso cref="TestRecoveryStateCommand"/>
/// <seealso cref="GetRecoveryJournalCommand"/>
[Cmdlet(
    VerbsData.Convert,
    "IdColumns",
    SupportsShouldProcess = true,
    ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = OfflineSet
)]
[OutputType(typeof(ColumnConversion), typeof(string))]
public sealed class ConvertIdColumnsCommand : StateChangingCmdlet
{
    private const string OfflineSet = "Offline";
    private const string OnlineSet = "Online";
    private const string AbortSet = "Abort";

    private readonly List<ConversionRoot> _roots = [];

    /// <summary>The tables whose keys to convert, optionally schema-qualified (schema.table).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = OfflineSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = OnlineSet)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(TableCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Table { get; set; } = [];

    /// <summary>The tables' schema, when not given in -Table.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = OfflineSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = OnlineSet)]
    [ArgumentCompleter(typeof(SchemaCompleter))]
    public string? Schema { get; set; }

    /// <summary>The key column; defaults to the single-column primary key.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = OfflineSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = OnlineSet)]
    [ArgumentCompleter(typeof(KeyColumnCompleter))]
    public string? Column { get; set; }

    /// <summary>
    /// The target type: varchar(36) (or any varchar of 36 or more, or text) or uuid for uuid and text keys; integer
    /// or bigint to widen smallint and integer keys (with a serial key's sequence). A key is never narrowed.
    /// </summary>
    [Parameter(ParameterSetName = OfflineSet)]
    [Parameter(ParameterSetName = OnlineSet)]
    [ValidateNotNullOrEmpty]
    public string To { get; set; } = "varchar(36)";

    /// <summary>Write the whole conversion as one SQL script instead of running it.</summary>
    [Parameter(ParameterSetName = OfflineSet)]
    [Parameter(ParameterSetName = OnlineSet)]
    public SwitchParameter AsScript { get; set; }

    /// <summary>With -AsScript: write the script that converts back.</summary>
    [Parameter(ParameterSetName = OfflineSet)]
    [Parameter(ParameterSetName = OnlineSet)]
    public SwitchParameter Inverse { get; set; }

    /// <summary>
    /// Convert while the application keeps reading and writing: shadow columns, a batched backfill, one short
    /// metadata-only swap (see the description). A rerun continues an interrupted one.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = OnlineSet)]
    public SwitchParameter Online { get; set; }

    /// <summary>With -Online: about how many rows each backfill transaction updates.</summary>
    [Parameter(ParameterSetName = OnlineSet)]
    [ValidateRange(1, 10_000_000)]
    public int BatchSize { get; set; } = OnlineThrottle.DefaultBatchSize;

    /// <summary>
    /// With -Online: how many sessions backfill a table at once, each through its own chunks of the table's pages.
    /// </summary>
    [Parameter(ParameterSetName = OnlineSet)]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; } = OnlineThrottle.DefaultJobs;

    /// <summary>With -Online: the pause after each backfill batch, as seconds or a TimeSpan.</summary>
    [Parameter(ParameterSetName = OnlineSet)]
    [SecondsTransformation]
    public TimeSpan BatchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// With -Online: the backfill waits while a streaming replica replays more than this many seconds behind.
    /// </summary>
    [Parameter(ParameterSetName = OnlineSet)]
    [ValidateRange(0.0, 86_400.0)]
    public double MaxLagSeconds { get; set; } = OnlineThrottle.DefaultMaxLagSeconds;

    /// <summary>
    /// Remove everything an unfinished online conversion added (shadow columns, triggers, indexes, its state), leaving
    /// the tables as they were.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = AbortSet)]
    public SwitchParameter Abort { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if ((Online || Abort) && !MyInvocation.BoundParameters.ContainsKey(nameof(LockTimeout)))
        {
            LockTimeout = OnlineConversion.DefaultLockTimeout;
        }

        base.BeginProcessing();
    }

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
        Guarded(
            () =>
            {
                if (Abort)
                {
                    AbortOnline();
                    return;
                }

                IConversionPlan plan = Online
                    ? Run(
                        (log, cancel) =>
                            OnlineConversion.PlanAsync(
                                Target,
                                _roots,
                                To,
                                new OnlineThrottle(BatchSize, BatchDelay, MaxLagSeconds, Jobs),
                                log,
                                cancel
                            )
                    )
                    : Run((log, cancel) => IdConversion.PlanAsync(Target, _roots, To, log, cancel));
                Report(plan);
                if (AsScript)
                {
                    WriteObject(Inverse ? plan.ToInverseScript(LockTimeout) : plan.ToScript(LockTimeout));
                    return;
                }

                if (plan.IsEmpty)
                {
                    WriteWarning(
                        $"Nothing to convert: every column linked to {string.Join(", ", _roots)} is already {To}."
                    );
                    return;
                }

                if (!ShouldApply(plan))
                {
                    return;
                }

                var journal = Journal();
                WriteObject(
                    plan switch
                    {
                        OnlineConversionPlan online => Run(
                            (log, cancel) => OnlineConversion.ApplyAsync(Target, online, journal, log, cancel)
                        ),
                        IdConversionPlan offline => Run(
                            (log, cancel) => IdConversion.ApplyAsync(Target, offline, journal, log, cancel)
                        ),
                        _ => throw new InvalidOperationException("Unknown conversion plan " + plan.GetType().Name),
                    },
                    enumerateCollection: true
                );
            },
            () => string.Join(", ", _roots)
        );
    }

    private void AbortOnline()
    {
        var plan = Run((log, cancel) => OnlineConversion.PlanAbortAsync(Target, log, cancel));
        if (ShouldApply(plan))
        {
            var journal = Journal();
            foreach (var table in Run((log, cancel) => OnlineConversion.AbortAsync(Target, plan, journal, log, cancel)))
            {
                WriteVerbose(
                    $"{table}: the online conversion's shadow columns, trigger, CHECK and indexes are removed."
                );
            }
        }
    }

    private void Report(IConversionPlan plan)
    {
        if (plan is IdConversionPlan offline)
        {
            foreach (var rewrite in offline.Rewrites)
            {
                WriteVerbose(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{rewrite.Schema}.{rewrite.Table}: {rewrite.Columns} column(s), "
                            + $"{RowEstimate.Describe(rewrite.EstimatedRows)}, "
                    )
                        + string.Create(
                            CultureInfo.InvariantCulture,
                            $"{rewrite.SizeBytes / 1048576.0:F1} MiB, rewritten once "
                        )
                        + string.Create(CultureInfo.InvariantCulture, $"under an {rewrite.Lock} lock")
                );
            }

            WriteVerbose(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The rewrites need up to {offline.DiskNeededBytes / 1048576.0:F1} MiB free on the server's data "
                ) + "volume."
            );
        }
        else if (plan is OnlineConversionPlan { Resumes: true } online)
        {
            WriteVerbose(
                online.Swapped
                    ? "Continuing an online conversion whose swap committed: only the contract and the validations "
                        + "are left."
                    : "Continuing an unfinished online conversion: what it finds done it skips, and each backfill "
                        + "resumes where it stopped."
            );
        }

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
