using System.Diagnostics;
using System.Globalization;
using System.Text;
using DbRecovery.Engine.Secrets;
using DbRecovery.TestSupport;

namespace DbRecovery.Benchmarks;

/// <summary>
/// Find-ExposedSecret's scanner against <c>grep -E</c> with an equivalent pattern set, on a generated corpus
/// (1 GB by default) of log and config lines with a secret every ten thousand lines, in one run.
/// </summary>
internal static class SecretScanBenchmark
{
    private const string GrepPattern =
        "postgres(ql)?://[^:/@ ]+:[^@ ]+@|(password|pwd) *=[^; "
        + "]+|rnd_[A-Za-z0-9]{20,}|(AKIA|ASIA)[0-9A-Z]{16}|aws_?secret_?(access_?)?key"
        + "|gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82}|xox[baprs]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z "
        + "]*PRIVATE KEY-----|eyJ[A-Za-z0-9_-]{8,}\\.eyJ"
        + "|(password|passwd|secret|token|api_?key)[A-Za-z0-9_]*['\"]? *[:=] *['\"][^'\" ]{8,}['\"]";

    private static readonly string[] Lines =
    [
        "2024-03-05T10:11:12.123Z INFO  request completed method=GET path=/api/v1/deals status=200 duration_ms=12 "
            + "user=8d3c1a4e-1111-4222-8333-944455556666",
        "2024-03-05T10:11:12.456Z DEBUG sqlalchemy.engine SELECT deals.id, deals.title FROM deals WHERE "
            + "deals.owner_id = %(owner_id_1)s",
        "    \"lodash\": { \"version\": \"4.17.21\", \"integrity\": "
            + "\"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==\" },",
        "def upgrade() -> None:  # add the folders table and its owner key",
        "The password policy requires twelve characters; rotate tokens every ninety days.",
        "server { listen 443 ssl; server_name app.example.test; proxy_pass http://127.0.0.1:8000; }",
    ];

    private static readonly string[] Secrets =
    [
        "export DATABASE_URL=postgresql://app:Fak3-Pass-4-Tests@db.example.test:5432/app",
        "RENDER_API_KEY=rnd_FakeKeyForUnitTestsOnly123",
        "aws_access_key_id = AKIAFAKEFAKEFAKE1234",
    ];

    public static void Run(double gigabytes)
    {
        var path = Path.Combine(Path.GetTempPath(), "dbrecovery-secret-corpus.txt");
        var planted = Generate(path, (long)(gigabytes * 1024 * 1024 * 1024));
        var keyFile = Path.Combine(
            Directory.CreateTempSubdirectory("dbrecovery-benchmark-").FullName,
            "fingerprint.key"
        );
        var size = new FileInfo(path).Length;
        try
        {
            // Warm the page cache so both read from memory.
            Time(() => Grep(path));
            var grep = Time(() => Grep(path));
            var key = FingerprintKey.LoadOrCreate(keyFile);
            var generated = SecretRuleSet.Parse(GeneratedRuleFile.Text(), "generated.toml");
            var builtIn = Time(() =>
                new SecretScanner(SecretRuleSet.BuiltIn, key).ScanPaths([path], [], []).LongCount()
            );
            var many = Time(() => new SecretScanner(generated, key).ScanPaths([path], [], []).LongCount());
            double Rate(double seconds) => size / 1048576.0 / seconds;
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"corpus: {size / 1048576.0:F0} MiB, {planted} planted secrets"
                )
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"grep -E (LC_ALL=C)             {grep.Seconds, 6:F2} s  {Rate(grep.Seconds), 7:F0} MiB/s  "
                ) + string.Create(CultureInfo.InvariantCulture, $"{grep.Count} matching lines")
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"built-in rules ({SecretRuleSet.BuiltIn.Rules.Count, 3})          {builtIn.Seconds, 6:F2} s  "
                )
                    + string.Create(
                        CultureInfo.InvariantCulture,
                        $"{Rate(builtIn.Seconds), 7:F0} MiB/s  {builtIn.Count} findings"
                    )
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"generated rule file ({generated.Rules.Count, 3})     {many.Seconds, 6:F2} s  "
                )
                    + string.Create(
                        CultureInfo.InvariantCulture,
                        $"{Rate(many.Seconds), 7:F0} MiB/s  {many.Count} findings ({generated.Candidates?.Count} "
                    )
                    + "candidate automata)"
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"throughput ratio / grep: built-in {grep.Seconds / builtIn.Seconds:F2}, {generated.Rules.Count} "
                )
                    + string.Create(
                        CultureInfo.InvariantCulture,
                        $"rules {grep.Seconds / many.Seconds:F2} (target >= 0.5)"
                    )
            );
        }
        finally
        {
            File.Delete(path);
            Directory.Delete(Path.GetDirectoryName(keyFile)!, recursive: true);
        }
    }

    private static long Generate(string path, long bytes)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        long written = 0,
            line = 0,
            planted = 0;
        while (written < bytes)
        {
            var text = line % 10_000 == 9_999 ? Secrets[planted++ % Secrets.Length] : Lines[line % Lines.Length];
            writer.WriteLine(text);
            written += text.Length + 1;
            line++;
        }

        return planted;
    }

    private static long Grep(string path)
    {
        var start = new ProcessStartInfo("grep") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-E", "-i", "-c", GrepPattern, path })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return long.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    private static (double Seconds, long Count) Time(Func<long> action)
    {
        var watch = Stopwatch.StartNew();
        var count = action();
        return (watch.Elapsed.TotalSeconds, count);
    }
}
