namespace DbRecovery.TestSupport;

/// <summary>
/// A public project's Alembic history as a Debian package ships it (written by others, run by real Alembic on
/// PostgreSQL): the package's versions folder is copied into an <see cref="AlembicTestProject"/> of the test's own,
/// whose env.py reads $DATABASE_URL. Nothing of the package is kept in the repository; <c>.ci/run</c> installs it.
/// </summary>
/// <param name="Name">A short name for test output.</param>
/// <param name="Package">The Debian package.</param>
/// <param name="Versions">The versions folder, relative to the system's Python packages.</param>
/// <param name="Setup">Python lines env.py runs first (a project whose migrations read its own configuration).</param>
public sealed record PublicHistory(string Name, string Package, string Versions, string Setup = "")
{
    private const string PythonPackages = "/usr/lib/python3/dist-packages";

    /// <summary>Gnocchi's indexer: 28 revisions, tables made in loops with computed names, enums rebuilt by raw SQL.</summary>
    public static readonly PublicHistory Gnocchi = new("gnocchi", "python3-gnocchi", "gnocchi/indexer/alembic/versions");

    /// <summary>Mistral: 41 revisions, the project's own JSON type decorators, MySQL-only branches.</summary>
    public static readonly PublicHistory Mistral = new("mistral", "python3-mistral", "mistral/db/sqlalchemy/migration/alembic_migrations/versions");

    /// <summary>Ironic: 59 revisions, oslo.db types, batch operations and a migration that opens oslo.db's own engine.</summary>
    public static readonly PublicHistory Ironic = new("ironic", "python3-ironic", "ironic/db/sqlalchemy/alembic/versions", """
        from ironic.conf import CONF
        from oslo_db import options as oslo_db_options
        oslo_db_options.set_defaults(CONF, connection=os.environ["DATABASE_URL"])
        CONF([], project="ironic")
        """);

    /// <summary>The histories the recovery is tested on.</summary>
    public static readonly PublicHistory[] All = [Gnocchi, Mistral, Ironic];

    /// <summary>A project running this history; fails with how to install the package when it is missing.</summary>
    public AlembicTestProject CreateProject()
    {
        var source = Path.Combine(PythonPackages, Versions);
        if (!Directory.Exists(source))
        {
            throw new InvalidOperationException(
                $"{Package} is not installed ({source} is missing); install it with 'apt-get install --no-install-recommends {Package}' (.ci/run does).");
        }

        var project = new AlembicTestProject("target_metadata = None\n" + Setup);
        foreach (var file in Directory.EnumerateFiles(source, "*.py").Where(f => Path.GetFileName(f) != "__init__.py"))
        {
            File.Copy(file, Path.Combine(project.VersionsDirectory, Path.GetFileName(file)));
        }

        return project;
    }

    /// <summary>The revisions from base to head, as <c>alembic history</c> lists them (these histories are linear).</summary>
    public static IReadOnlyList<string> Revisions(AlembicTestProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var (code, output) = project.Run("postgresql://unused@localhost/unused", "history");
        if (code != 0)
        {
            throw new InvalidOperationException("alembic history failed: " + output);
        }

        return output.Split('\n')
            .Select(l => l.Split(" -> ", 2))
            .Where(p => p.Length == 2)
            .Select(p => p[1].Split([' ', ','], 2)[0])
            .Reverse()
            .ToList();
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
