using System.Management.Automation;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Commands;

/// <summary>Shows how close every sequence-fed integer key is to the largest value its type can hold.</summary>
/// <remarks>
/// Read-only. For every serial or identity column of type smallint, integer or bigint: the sequence that feeds it,
/// its last value, the largest value the key can take (the type's maximum, or the sequence's MAXVALUE when lower),
/// the share used, the columns whose foreign keys reference it (they change type with it), and, when the
/// statistics window is known (pg_stat_database.stats_reset), the inserts a day into its table and the time left at
/// that rate. The most used keys come first. A referencing column narrower than its key (an integer referencing a
/// bigint) is listed under Narrower and warned about: inserts fail at the first id beyond its type.
/// </remarks>
/// <example>
/// <code>Get-KeyCapacity -ConnectionString 'postgresql://ops@db.internal/app' | Where-Object UsedPercent -GT 50</code>
/// <para>Lists the keys past half their capacity, the ones to convert to bigint before they run out.</para>
/// </example>
/// <example>
/// <code>Get-KeyCapacity | Where-Object Narrower | Select-Object Key, Type, Narrower</code>
/// <para>Uses $env:DATABASE_URL and lists the keys that columns narrower than themselves reference.</para>
/// </example>
/// <seealso cref="ConvertIdColumnsCommand"/>
/// <seealso cref="GetSchemaStateCommand"/>
[Cmdlet(VerbsCommon.Get, "KeyCapacity")]
[OutputType(typeof(KeyCapacity))]
public sealed class GetKeyCapacityCommand : DatabaseCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Guarded(
            () =>
            {
                var keys = Run((log, cancel) => KeyCapacityReader.ReadAsync(Target, log, cancel));
                foreach (var key in keys)
                {
                    foreach (var narrower in key.Narrower)
                    {
                        WriteWarning(
                            $"{narrower} references {key.Key} ({key.Type}): inserts there fail at the first id "
                                + "beyond its type, whatever the key's capacity."
                        );
                    }
                }

                WriteObject(keys, enumerateCollection: true);
            },
            () => Target.DisplayName
        );
    }
}
