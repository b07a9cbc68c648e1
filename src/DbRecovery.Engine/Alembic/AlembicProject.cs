using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Where an Alembic project keeps its migrations: from <c>alembic.ini</c> (<c>script_location</c>,
/// <c>version_locations</c>, <c>recursive_version_locations</c>), a script folder, or a versions folder.
/// </summary>
public sealed record AlembicProject
{
    /// <summary>The <c>alembic.ini</c>, when the project has one.</summary>
    public string? IniFile { get; init; }

    /// <summary>The folders migration files are read from.</summary>
    public IReadOnlyList<string> VersionLocations { get; init; } = [];

    /// <summary>Whether sub-folders of the version locations are read too.</summary>
    public bool Recursive { get; init; }

    /// <summary>The script folder (env.py's), when alembic.ini names it.</summary>
    public string? ScriptLocation { get; init; }

    /// <summary>The folders <c>prepend_sys_path</c> puts first on Python's path (relative ones from the ini's
    /// folder, where Alembic is run).</summary>
    public IReadOnlyList<string> SysPath { get; init; } = [];

    /// <summary>
    /// Finds the project at <paramref name="path"/>: an alembic.ini, a folder with one, a script folder or a versions
    /// folder.
    /// </summary>
    /// <exception cref="RecoveryException">Nothing there looks like an Alembic project
    /// (<c>AlembicProjectNotFound</c>).</exception>
    public static AlembicProject Locate(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var ini = File.Exists(full) ? full : System.IO.Path.Combine(full, "alembic.ini");
        if (File.Exists(ini))
        {
            return FromIni(ini);
        }

        if (
            Directory.Exists(System.IO.Path.Combine(full, "versions"))
            && (
                File.Exists(System.IO.Path.Combine(full, "env.py"))
                || File.Exists(System.IO.Path.Combine(full, "script.py.mako"))
            )
        )
        {
            return new AlembicProject { VersionLocations = [System.IO.Path.Combine(full, "versions")] };
        }

        if (Directory.Exists(full) && Directory.EnumerateFiles(full, "*.py", SearchOption.AllDirectories).Any())
        {
            return new AlembicProject { VersionLocations = [full], Recursive = true };
        }

        throw new RecoveryException(
            "AlembicProjectNotFound",
            FailureKind.ObjectNotFound,
            $"'{path}' is not an Alembic project: give the folder with alembic.ini, the script folder (with env.py "
                + "and versions/), or a versions folder.",
            path
        );
    }

    /// <summary>The migration files, in a stable order.</summary>
    public IEnumerable<string> MigrationFiles() =>
        VersionLocations
            .Where(Directory.Exists)
            .SelectMany(d =>
                Directory.EnumerateFiles(
                    d,
                    "*.py",
                    Recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly
                )
            )
            .Where(f => !string.Equals(System.IO.Path.GetFileName(f), "__init__.py", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal) // a location listed as well as read recursively from its parent
            .Order(StringComparer.Ordinal);

    private static AlembicProject FromIni(string ini)
    {
        var here = System.IO.Path.GetDirectoryName(ini)!;
        var settings = ReadSection(ini, "alembic");
        string Expand(string value) =>
            System.IO.Path.GetFullPath(value.Replace("%(here)s", here, StringComparison.Ordinal), here);
        if (!settings.TryGetValue("script_location", out var scriptLocation))
        {
            throw new RecoveryException(
                "AlembicProjectNotFound",
                FailureKind.InvalidData,
                $"'{ini}' has no script_location in its [alembic] section.",
                ini
            );
        }

        if (scriptLocation.Contains(':', StringComparison.Ordinal) && !Path.IsPathRooted(scriptLocation))
        {
            throw new RecoveryException(
                "AlembicProjectNotFound",
                FailureKind.InvalidData,
                $"'{ini}' names its scripts as a package resource ({scriptLocation}); give the script folder itself "
                    + "with -Path.",
                ini
            );
        }

        var locations = settings.TryGetValue("version_locations", out var versionLocations)
            ? Split(versionLocations, settings.GetValueOrDefault("version_path_separator")).Select(Expand).ToList()
            : [System.IO.Path.Combine(Expand(scriptLocation), "versions")];
        var recursive =
            settings.TryGetValue("recursive_version_locations", out var flag)
            && flag.Trim().ToLowerInvariant() is "true" or "1" or "yes" or "on";
        var sysPath = settings.TryGetValue("prepend_sys_path", out var prepend)
            ? prepend.Split([' ', ',', ':', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(Expand).ToList()
            : [];
        return new AlembicProject
        {
            IniFile = ini,
            VersionLocations = locations,
            Recursive = recursive,
            ScriptLocation = Expand(scriptLocation),
            SysPath = sysPath,
        };
    }

    private static IEnumerable<string> Split(string value, string? separator) =>
        (
            separator?.Trim() switch
            {
                "os" => value.Split(System.IO.Path.PathSeparator),
                "space" => value.Split(' '),
                "newline" => value.Split('\n'),
                ";" or ":" => value.Split(separator.Trim()[0]),
                _ => value.Split([' ', ',', '\n'], StringSplitOptions.None),
            }
        )
            .Select(v => v.Trim())
            .Where(v => v.Length > 0);

    /// <summary>Reads one section of an INI file, with indented continuation lines joined by newlines.</summary>
    private static Dictionary<string, string> ReadSection(string ini, string section)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var inSection = false;
        string? key = null;
        foreach (var raw in File.ReadLines(ini))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                inSection = string.Equals(line[1..^1].Trim(), section, StringComparison.OrdinalIgnoreCase);
                key = null;
                continue;
            }

            if (!inSection || line.TrimStart().StartsWith('#') || line.TrimStart().StartsWith(';') || line.Length == 0)
            {
                continue;
            }

            if (char.IsWhiteSpace(raw[0]) && key is not null)
            {
                values[key] += "\n" + line.Trim();
                continue;
            }

            var separator = line.IndexOfAny(['=', ':']);
            if (separator > 0)
            {
                key = line[..separator].Trim();
                values[key] = line[(separator + 1)..].Trim();
            }
        }

        return values;
    }
}
