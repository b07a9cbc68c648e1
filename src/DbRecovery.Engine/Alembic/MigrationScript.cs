using DbRecovery.Engine.Alembic.Operations;

namespace DbRecovery.Engine.Alembic;

/// <summary>What <see cref="MigrationFileReader"/> read from one file, and what it could not.</summary>
internal sealed class MigrationScript(string path)
{
    public string Path { get; } = path;

    public string? Revision { get; set; }

    public List<string> DownRevisions { get; set; } = [];

    public List<string> BranchLabels { get; set; } = [];

    public List<string> DependsOn { get; set; } = [];

    public string? Message { get; set; }

    public DateTime? CreateDate { get; set; }

    public List<MigrationOperation> Operations { get; } = [];

    public List<string> Warnings { get; } = [];

    public void Warn(int line, string message) => Warnings.Add($"{Path}:{line}: {message}");
}
