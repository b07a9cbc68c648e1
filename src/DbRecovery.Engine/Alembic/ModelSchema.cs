using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// The schema the application's code expects: the project's env.py is run the way Alembic runs it (with
/// real Python, its own imports, no migration applied and nothing written to the version table), the
/// <c>target_metadata</c> it hands Alembic is taken, <c>create_all()</c> builds it on an empty scratch
/// database, and that is snapshotted. The scratch database is emptied again however it ends.
/// </summary>
public static class ModelSchema
{
    private const string NoMetadata = "DBRECOVERY-NO-TARGET-METADATA";

    private const string Reader = """
        import os, sys
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from alembic.runtime.environment import EnvironmentContext
        import sqlalchemy as sa

        config = Config(sys.argv[1])
        script = ScriptDirectory.from_config(config)
        found = {}

        def capture(revision, context):
            found["metadata"] = context.opts.get("target_metadata")
            return []

        with EnvironmentContext(config, script, fn=capture, dont_mutate=True):
            script.run_env()
        metadata = found.get("metadata")
        if metadata is None:
            print("DBRECOVERY-NO-TARGET-METADATA")
            sys.exit(3)
        engine = sa.create_engine(os.environ[sys.argv[2]])
        for each in metadata if isinstance(metadata, (list, tuple)) else [metadata]:
            each.create_all(engine)
        """;

    /// <summary>
    /// Builds the models' schema on <paramref name="scratch"/> and snapshots it; null when env.py hands Alembic no
    /// target_metadata.
    /// </summary>
    /// <exception cref="RecoveryException">The scratch database is not empty (<c>ScratchNotEmpty</c>), or env.py or
    /// create_all failed (<c>ModelsFailed</c>).</exception>
    public static async Task<SchemaState?> BuildAsync(
        AlembicCli cli,
        ConnectionTarget scratch,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(log);
        var initialSchemas = await ScratchDatabase
            .EnsureEmptyAsync(scratch, log, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            log.Progress(
                new ProgressReport(
                    "Reading the models",
                    "create_all() of env.py's target_metadata on the scratch database",
                    0,
                    2
                )
            );
            var run = await cli.RunPythonAsync(scratch, Reader, [cli.IniFile, cli.UrlVariable], log, cancellationToken)
                .ConfigureAwait(false);
            if (run.Output.Contains(NoMetadata))
            {
                return null;
            }

            if (run.ExitCode != 0)
            {
                throw new RecoveryException(
                    "ModelsFailed",
                    FailureKind.InvalidOperation,
                    $"The models could not be built from env.py's target_metadata on {scratch.DisplayName}: "
                        + $"{AlembicCli.ErrorOf(run)}",
                    cli.IniFile
                );
            }

            log.Progress(new ProgressReport("Reading the models", "snapshotting", 1, 2));
            return await SchemaReader
                .CaptureAsync(scratch, new SchemaReadOptions(), log, cancellationToken)
                .ConfigureAwait(false) with
            {
                Origin = "models: create_all() of env.py's target_metadata",
            };
        }
        finally
        {
            try
            {
                await ScratchDatabase
                    .ResetAsync(scratch, initialSchemas, log, CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch (RecoveryException ex)
            {
                log.Warning(
                    $"The scratch database {scratch.DisplayName} could not be emptied after reading the models: "
                        + $"{ex.Message}"
                );
            }
        }
    }

    /// <summary>
    /// The single-column keys the models declare with a key type (uuid, the string and integer types), as
    /// schema.table.column=type: the code's declaration, which wins over any revision's.
    /// </summary>
    public static IReadOnlyList<string> DeclaredKeys(SchemaState models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return models
            .Tables.Where(t => t.PrimaryKey is { Columns.Count: 1 })
            .Select(t => (Table: t, Column: t.FindColumn(t.PrimaryKey!.Columns[0])))
            .Where(k => k.Column is not null && IsKeyType(k.Column.Type))
            .Select(k =>
                $"{k.Table.Schema}.{k.Table.Name}.{k.Column!.Name}={PostgresTypeName.Normalize(k.Column.Type)}"
            )
            .ToList();
    }

    private static bool IsKeyType(string type) =>
        PostgresTypeName.Normalize(type) is var normal
        && (
            normal is "uuid" or "text" or "smallint" or "integer" or "bigint"
            || normal.StartsWith("character varying", StringComparison.Ordinal)
        );
}
