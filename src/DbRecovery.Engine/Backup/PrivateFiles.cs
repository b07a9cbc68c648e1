namespace DbRecovery.Engine.Backup;

/// <summary>
/// Folders and files only their owner may read (0700 and 0600 on Unix, whatever the umask): a backup is a full copy
/// of production, credentials tables included. On Windows the folder inherits its parent's access rules.
/// </summary>
internal static class PrivateFiles
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> private from the moment it exists.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, Folder);
    }

    /// <summary>Writes <paramref name="text"/> to a new private file.</summary>
    public static void WriteAllText(string path, string text)
    {
        using var stream = new FileStream(path, Options());
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    /// <summary>Writes <paramref name="text"/> to a new private file.</summary>
    public static async Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, Options());
        await using (stream.ConfigureAwait(false))
        {
            var writer = new StreamWriter(stream);
            await using (writer.ConfigureAwait(false))
            {
                await writer.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Makes every folder under <paramref name="root"/> (itself included) 0700 and every file 0600.</summary>
    public static void Restrict(string root)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        System.IO.File.SetUnixFileMode(root, Folder);
        foreach (var folder in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
        {
            System.IO.File.SetUnixFileMode(folder, Folder);
        }

        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            System.IO.File.SetUnixFileMode(file, File);
        }
    }

    private static FileStreamOptions Options()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = File;
        }

        return options;
    }
}
