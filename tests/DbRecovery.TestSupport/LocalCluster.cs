using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace DbRecovery.TestSupport;

/// <summary>
/// A throwaway PostgreSQL cluster made with the local server binaries: a temporary directory, a free
/// port on 127.0.0.1, password authentication over TCP. Run as the <c>postgres</c> OS user when the
/// tests run as root (initdb refuses root). Stopped and removed when the test process exits.
/// </summary>
public sealed class LocalCluster
{
    private const string ServiceUser = "postgres";

    private LocalCluster(string binDirectory, string root, int port, string password)
    {
        BinDirectory = binDirectory;
        Root = root;
        Port = port;
        AdminSettings = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Password = password,
            Database = "postgres",
        };
    }

    public string BinDirectory { get; }

    public string Root { get; }

    public string DataDirectory => Path.Combine(Root, "data");

    public string LogFile => Path.Combine(Root, "server.log");

    public int Port { get; }

    public NpgsqlConnectionStringBuilder AdminSettings { get; }

    public static string? FindBinDirectory()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        if (onPath is not null)
        {
            // Debian links initdb into /usr/local/bin; the other tools (pg_dump, postgres) sit beside the target.
            var initdb = new FileInfo(Path.Combine(onPath, "initdb"));
            return initdb.ResolveLinkTarget(returnFinalTarget: true) is { } target
                ? Path.GetDirectoryName(target.FullName)!
                : onPath;
        }

        const string debianRoot = "/usr/lib/postgresql";
        return Directory.Exists(debianRoot)
            ? Directory
                .GetDirectories(debianRoot)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
    }

    internal static async Task<LocalCluster> StartAsync()
    {
        var bin = FindBinDirectory()
            ?? throw new InvalidOperationException(
                "initdb and pg_ctl were not found on PATH or under /usr/lib/postgresql/*/bin"
            );
        var root = Directory.CreateTempSubdirectory("dbrecovery-pg-").FullName;
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var cluster = new LocalCluster(bin, root, FreePort(), password);
        var passwordFile = Path.Combine(root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, password).ConfigureAwait(false);
        if (RunsAsRoot)
        {
            await Run("chown", "-R", ServiceUser, root).ConfigureAwait(false);
        }

        await cluster
            .RunAsServiceUser(
                "initdb",
                "-D",
                cluster.DataDirectory,
                "-U",
                "postgres",
                "--pwfile=" + passwordFile,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync"
            )
            .ConfigureAwait(false);
        File.Delete(passwordFile);
        await cluster.StartServerAsync().ConfigureAwait(false);
        return cluster;
    }

    /// <summary>
    /// A hot standby of this cluster (pg_basebackup, streaming), with the same admin role and password.
    /// </summary>
    public async Task<LocalCluster> StartStandbyAsync()
    {
        var root = Directory.CreateTempSubdirectory("dbrecovery-pg-").FullName;
        var standby = new LocalCluster(BinDirectory, root, FreePort(), AdminSettings.Password!);
        if (RunsAsRoot)
        {
            await Run("chown", "-R", ServiceUser, root).ConfigureAwait(false);
        }

        // -d takes a connection string, so the password never reaches a command line.
        await standby
            .RunAsServiceUser(
                "pg_basebackup",
                "-d",
                $"host=127.0.0.1 port={Port} user=postgres password={AdminSettings.Password}",
                "-D",
                standby.DataDirectory,
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",
                "--no-sync"
            )
            .ConfigureAwait(false);
        await standby.StartServerAsync().ConfigureAwait(false);
        return standby;
    }

    private async Task StartServerAsync()
    {
        var options = string.Join(
            ' ',
            $"-p {Port}",
            "-c listen_addresses=127.0.0.1",
            $"-c unix_socket_directories={Root}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200",
            "-c log_statement=all"
        );
        await RunAsServiceUser("pg_ctl", "start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options)
            .ConfigureAwait(false);
        StartGuardian();
    }

    private static bool RunsAsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>
    /// A detached shell that waits for this test process to end, however it ends (a test host that is
    /// killed runs no exit handlers), then stops the server and removes its directory.
    /// </summary>
    private void StartGuardian()
    {
        var pgCtl = Path.Combine(BinDirectory, "pg_ctl");
        var stop = RunsAsRoot ? $"runuser -u {ServiceUser} -- '{pgCtl}'" : $"'{pgCtl}'";
        var script =
            $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; "
            + $"{stop} stop -D '{DataDirectory}' -m immediate -w >/dev/null 2>&1; rm -rf '{Root}'";
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = false, UseShellExecute = false };
        foreach (var argument in new[] { "bash", "-c", script })
        {
            start.ArgumentList.Add(argument);
        }

        Process.Start(start)?.Dispose();
    }

    private Task RunAsServiceUser(string tool, params string[] arguments)
    {
        var path = Path.Combine(BinDirectory, tool);
        return RunsAsRoot ? Run("runuser", ["-u", ServiceUser, "--", path, .. arguments]) : Run(path, arguments);
    }

    private static async Task Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(fileName)} {string.Join(' ', arguments.Take(2))} exited with {process.ExitCode}: "
                    + $"{await stderr.ConfigureAwait(false)} {await stdout.ConfigureAwait(false)}"
            );
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
