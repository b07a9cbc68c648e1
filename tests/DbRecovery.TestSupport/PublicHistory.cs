namespace DbRecovery.TestSupport;

/// <summary>
/// A public project's Alembic history as a Debian package ships it (written by others, run by real Alembic on
/// PostgreSQL): the package's versions folder is copied into an <see cref="AlembicTestProject"/> of the test's own,
/// whose env.py reads $DATABASE_URL. Nothing of the package is kept in the repository; <c>.ci/run</c> installs it.
/// </summary>
/// <param name="Name">A short name for test output.</param>
/// <param name="Package">The Debian package.</param>
/// <param name="Versions">The versions folder, relative to the system's Python packages.</param>
/// <param name="Seed">Rows for a table every revision has with the same columns, so a drifted database holds data to
/// keep.</param>
/// <param name="Setup">Python lines env.py runs first (a project whose migrations read its own configuration).</param>
public sealed record PublicHistory(string Name, string Package, string Versions, string Seed, string Setup = "")
{
    private const string PythonPackages = "/usr/lib/python3/dist-packages";

    /// <summary>Gnocchi's indexer: 28 revisions, tables made in loops with computed names, enums rebuilt by raw
    /// SQL.</summary>
    public static readonly PublicHistory Gnocchi = new(
        "gnocchi",
        "python3-gnocchi",
        "gnocchi/indexer/alembic/versions",
        """
        INSERT INTO archive_policy (name, back_window, definition, aggregation_methods)
        VALUES ('low', 0, '[{"granularity": 300, "points": 12}]', '["mean"]'), ('high', 0, '[{"granularity": 1, "points": 3600}]', '["max", "min"]')
        """
    );

    /// <summary>Mistral: 41 revisions, the project's own JSON type decorators, MySQL-only branches.</summary>
    public static readonly PublicHistory Mistral = new(
        "mistral",
        "python3-mistral",
        "mistral/db/sqlalchemy/migration/alembic_migrations/versions",
        "INSERT INTO environments_v2 (id, name, created_at, variables) VALUES ('env-1', 'staging', now(), '{}'), "
            + "('env-2', 'production', now(), '{\"a\": 1}')"
    );

    /// <summary>Ironic: 59 revisions, oslo.db types, batch operations and a migration that opens oslo.db's own
    /// engine.</summary>
    public static readonly PublicHistory Ironic = new(
        "ironic",
        "python3-ironic",
        "ironic/db/sqlalchemy/alembic/versions",
        "INSERT INTO chassis (id, uuid, description, created_at) VALUES (1, 'c0ffee00-0000-4000-8000-000000000001', "
            + "'rack one', now()), (2, NULL, 'rack two', now())",
        """
        from ironic.conf import CONF
        from oslo_db import options as oslo_db_options
        oslo_db_options.set_defaults(CONF, connection=os.environ["DATABASE_URL"])
        CONF([], project="ironic")
        """
    );

    /// <summary>Manila: 60 revisions, data migrations through ORM sessions (one uses <c>sa.orm</c> without importing
    /// it, which works in Manila because its models import it first).</summary>
    public static readonly PublicHistory Manila = new(
        "manila",
        "python3-manila",
        "manila/db/migrations/alembic/versions",
        "INSERT INTO quotas (id, project_id, resource, hard_limit) VALUES (1, 'p-1', 'shares', 10), (2, 'p-2', "
            + "'gigabytes', 100)",
        "import sqlalchemy.orm"
    );

    /// <summary>Neutron: 126 revisions in expand and contract branches over a folder per release, an initial revision
    /// that calls functions of 24 project modules, raw SQL and dialect branches.</summary>
    public static readonly PublicHistory Neutron = new(
        "neutron",
        "python3-neutron",
        "neutron/db/migration/alembic_migrations/versions",
        "INSERT INTO networks (id, name, status, admin_state_up) VALUES ('net-1', 'public', 'ACTIVE', true)"
    );

    /// <summary>The histories the recovery is tested on.</summary>
    public static readonly PublicHistory[] All = [Gnocchi, Mistral, Ironic, Manila];

    /// <summary>A project running this history; fails with how to install the package when it is missing.</summary>
    /// <param name="edit">Edits the copied migration files (file name, text → new text), for a history changed after it
    /// ran.</param>
    public AlembicTestProject CreateProject(Func<string, string, string>? edit = null)
    {
        var source = Path.Combine(PythonPackages, Versions);
        if (!Directory.Exists(source))
        {
            throw new InvalidOperationException(
                $"{Package} is not installed ({source} is missing); install it with 'apt-get install "
                    + $"--no-install-recommends {Package}' (.ci/run does)."
            );
        }

        var project = new AlembicTestProject("target_metadata = None\n" + Setup);
        if (edit is null)
        {
            // In place, as the project ships it: its own modules beside the migrations, every folder with migrations
            // listed (Alembic before 1.10 does not read sub-folders).
            var folders = Directory
                .EnumerateDirectories(source, "*", SearchOption.AllDirectories)
                .Prepend(source)
                .Where(d => Directory.EnumerateFiles(d, "*.py").Any(f => Path.GetFileName(f) != "__init__.py"))
                .Order(StringComparer.Ordinal);
            return project.VersionLocations(folders);
        }

        foreach (var file in Directory.EnumerateFiles(source, "*.py").Where(f => Path.GetFileName(f) != "__init__.py"))
        {
            var name = Path.GetFileName(file);
            File.WriteAllText(Path.Combine(project.VersionsDirectory, name), edit(name, File.ReadAllText(file)));
        }

        return project;
    }

    /// <summary>
    /// Mistral's history edited to contradict itself: its first revision creates <c>workflow_definitions_v2.id</c> (and
    /// <c>cron_triggers_v2.workflow_id</c>, which references it) as uuid, while revision 012 still references it from
    /// <c>event_triggers_v2.workflow_id</c> as <c>String(36)</c>. It cannot build a database from empty past 011.
    /// </summary>
    public static string MistralUuidDefinitions(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (file != "001_kilo.py")
        {
            return text;
        }

        const string Id = "sa.Column('id', sa.String(length=36), nullable=False),";
        var table = text.IndexOf("'workflow_definitions_v2',", StringComparison.Ordinal);
        var id = text.IndexOf(Id, table, StringComparison.Ordinal);
        text = string.Concat(
            text.AsSpan(0, id),
            "sa.Column('id', postgresql.UUID(), nullable=False),",
            text.AsSpan(id + Id.Length)
        );
        return text.Replace(
                "sa.Column('workflow_id', sa.String(length=36), nullable=True),",
                "sa.Column('workflow_id', postgresql.UUID(), nullable=True),",
                StringComparison.Ordinal
            )
            .Replace(
                "import sqlalchemy as sa\n",
                "import sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n",
                StringComparison.Ordinal
            );
    }

    /// <summary>The revisions from base to head, as <c>alembic history</c> lists them (these histories are
    /// linear).</summary>
    public static IReadOnlyList<string> Revisions(AlembicTestProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var (code, output) = project.Run("postgresql://unused@localhost/unused", "history");
        if (code != 0)
        {
            throw new InvalidOperationException("alembic history failed: " + output);
        }

        return output
            .Split('\n')
            .Select(l => l.Split(" -> ", 2))
            .Where(p => p.Length == 2)
            .Select(p => p[1].Split([' ', ','], 2)[0])
            .Reverse()
            .ToList();
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
