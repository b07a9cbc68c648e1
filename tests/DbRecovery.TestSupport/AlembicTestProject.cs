using System.Diagnostics;
using System.Text;

namespace DbRecovery.TestSupport;

/// <summary>
/// A small Alembic project written to a temporary folder: alembic.ini, an env.py that takes the
/// database URL from $DATABASE_URL, and one migration file per revision. Real Alembic runs it.
/// </summary>
public sealed class AlembicTestProject : IDisposable
{
    /// <summary>
    /// Python with the distribution's alembic, sqlalchemy and psycopg2 (the first python3 on PATH may lack them).
    /// </summary>
    public const string Python = "/usr/bin/python3";

    private const string EnvPy = """
        import os
        from logging.config import fileConfig
        from alembic import context
        from sqlalchemy import create_engine, pool
        {0}

        fileConfig(context.config.config_file_name)
        url = os.environ["DATABASE_URL"]

        if context.is_offline_mode():
            context.configure(url=url, target_metadata=target_metadata, literal_binds=True, dialect_opts={{"paramstyle": "named"}})
            with context.begin_transaction():
                context.run_migrations()
        else:
            engine = create_engine(url, poolclass=pool.NullPool)
            with engine.connect() as connection:
                context.configure(connection=connection, target_metadata=target_metadata)
                with context.begin_transaction():
                    context.run_migrations()
        """;

    // The logging sections of Alembic's own template, so Alembic reports "Running upgrade" as real projects see it.
    private const string Ini = """
        [alembic]
        script_location = %(here)s/migrations
        prepend_sys_path = .
        recursive_version_locations = true

        [loggers]
        keys = root,sqlalchemy,alembic

        [handlers]
        keys = console

        [formatters]
        keys = generic

        [logger_root]
        level = WARN
        handlers = console
        qualname =

        [logger_sqlalchemy]
        level = WARN
        handlers =
        qualname = sqlalchemy.engine

        [logger_alembic]
        level = INFO
        handlers =
        qualname = alembic

        [handler_console]
        class = StreamHandler
        args = (sys.stderr,)
        level = NOTSET
        formatter = generic

        [formatter_generic]
        format = %(levelname)-5.5s [%(name)s] %(message)s
        """;

    private int _sequence;

    /// <param name="targetMetadata">Python lines of env.py that define <c>target_metadata</c> (imports included); by
    /// default it is None.</param>
    public AlembicTestProject(string targetMetadata = "target_metadata = None")
    {
        Root = Directory.CreateTempSubdirectory("dbrecovery-alembic-").FullName;
        Directory.CreateDirectory(Path.Combine(Root, "migrations", "versions"));
        File.WriteAllText(Path.Combine(Root, "alembic.ini"), Ini);
        File.WriteAllText(
            Path.Combine(Root, "migrations", "env.py"),
            string.Format(System.Globalization.CultureInfo.InvariantCulture, EnvPy, targetMetadata)
        );
        File.WriteAllText(Path.Combine(Root, "migrations", "script.py.mako"), "# unused\n");
    }

    public string Root { get; }

    public string VersionsDirectory => Path.Combine(Root, "migrations", "versions");

    /// <summary>The command line that runs Alembic here.</summary>
    public static string[] AlembicCommand => [Python, "-m", "alembic"];

    /// <summary>
    /// Writes a migration file; the header is written after the imports, as recent Alembic templates do.
    /// </summary>
    public AlembicTestProject Revision(
        string id,
        string? down,
        string upgrade,
        string? message = null,
        string? subfolder = null
    )
    {
        var downText = down switch
        {
            null => "None",
            _ when down.Contains(',', StringComparison.Ordinal) => "("
                + string.Join(", ", down.Split(',').Select(d => $"'{d.Trim()}'"))
                + ")",
            _ => $"'{down}'",
        };
        var body = new StringBuilder()
            .Append(
                CultureInfo($"\"\"\"{message ?? "revision " + id}\n\nRevision ID: {id}\nRevises: {down}\n")
                    + CultureInfo($"Create Date: 2024-01-01 00:00:{_sequence:00}.000000\n\n\"\"\"\n")
            )
            .Append(
                "from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\nfrom "
                    + "sqlalchemy.dialects import postgresql\n\n"
            )
            .Append(
                CultureInfo($"revision: str = '{id}'\ndown_revision: Union[str, Sequence[str], None] = ")
                    + CultureInfo($"{downText}\nbranch_labels = None\ndepends_on = None\n\n\n")
            )
            .Append("def upgrade() -> None:\n")
            .Append(string.Join('\n', upgrade.Trim('\n').Split('\n').Select(l => "    " + l)))
            .Append("\n\n\ndef downgrade() -> None:\n    pass\n");
        var folder = subfolder is null ? VersionsDirectory : Path.Combine(VersionsDirectory, subfolder);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, CultureInfo($"{_sequence++:000}_{id}_migration.py")), body.ToString());
        return this;
    }

    /// <summary>Reads the migrations from <paramref name="folders"/> (alembic.ini's <c>version_locations</c>)
    /// instead of the project's own versions folder.</summary>
    public AlembicTestProject VersionLocations(IEnumerable<string> folders)
    {
        var ini = Path.Combine(Root, "alembic.ini");
        var line = "version_locations = " + string.Join(' ', folders);
        File.WriteAllText(
            ini,
            File.ReadAllText(ini)
                .Replace("prepend_sys_path = .\n", $"prepend_sys_path = .\n{line}\n", StringComparison.Ordinal)
        );
        return this;
    }

    /// <summary>
    /// Writes a Python file of the project (a models module, a package of constants), relative to its root.
    /// </summary>
    public AlembicTestProject Module(string relativePath, string source)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, source);
        return this;
    }

    /// <summary>Runs Alembic with the database URL in $DATABASE_URL; returns its exit code and output.</summary>
    public (int ExitCode, string Output) Run(string databaseUrl, params string[] arguments) =>
        RunPython(databaseUrl, ["-m", "alembic", "-c", Path.Combine(Root, "alembic.ini"), .. arguments]);

    /// <summary>
    /// Runs Python code in the project folder (its modules importable) with the database URL in $DATABASE_URL; fails
    /// the test when it fails.
    /// </summary>
    public string ExecutePython(string databaseUrl, string code)
    {
        var (exitCode, output) = RunPython(databaseUrl, ["-c", code]);
        return exitCode == 0 ? output : throw new InvalidOperationException($"python failed: {output}");
    }

    private (int ExitCode, string Output) RunPython(string databaseUrl, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DATABASE_URL"] = databaseUrl;
        start.Environment["PYTHONPATH"] = Root;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    /// <summary>Runs Alembic and fails the test when it fails.</summary>
    public string Upgrade(string databaseUrl, string target)
    {
        var (code, output) = Run(databaseUrl, "upgrade", target);
        return code == 0 ? output : throw new InvalidOperationException($"alembic upgrade {target} failed: {output}");
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);
}
