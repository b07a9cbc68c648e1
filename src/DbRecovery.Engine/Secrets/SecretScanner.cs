using System.Diagnostics;
using System.IO.Enumeration;
using System.Text;
using System.Text.RegularExpressions;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Secrets;

/// <summary>
/// Finds exposed secrets in files, folders, text or git history, streaming line by line, with the rules of a
/// <see cref="SecretRuleSet"/>. Secrets are fingerprinted (keyed) and masked as they are found; the scanner keeps
/// none of them.
/// </summary>
/// <param name="rules">The rules to run.</param>
/// <param name="key">The key of the fingerprints.</param>
/// <param name="knownFingerprints">Fingerprints of secrets already rotated; their findings are marked known.</param>
public sealed partial class SecretScanner(
    SecretRuleSet rules,
    FingerprintKey key,
    IEnumerable<string>? knownFingerprints = null
)
{
    private readonly HashSet<string> _known = new(knownFingerprints ?? [], StringComparer.OrdinalIgnoreCase);

    // How far before and past the candidate lines a rule's match may run (a PEM key, a Kubernetes Secret, a continued
    // command).
    private const int Reach = 4096;

    /// <summary>
    /// Scans text as gitleaks scans a fragment: every rule runs on its own and reports under its own id, a regex may
    /// match across lines, a <c>generic</c> rule's finding gives way to a more specific rule's finding of a secret
    /// containing it on the same line, and a line with <c>gitleaks:allow</c> reports nothing. The text is read in
    /// blocks of about a million characters ending at line ends (searched in parallel, one per core); in each, the
    /// union of every rule's regex finds the candidate lines, and the rules run on those lines and the
    /// <see cref="Reach"/> characters around them. Findings come out in order.
    /// </summary>
    /// <param name="reader">The text.</param>
    /// <param name="path">Its name in findings, and what rules' <c>path</c> regexes see.</param>
    /// <param name="firstLine">The number of its first line.</param>
    public IEnumerable<SecretFinding> ScanText(TextReader reader, string path, int firstLine = 1)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(path);
        var lineNumber = firstLine;

        // A rule limited to this path that has no keywords must see every line of the file.
        var everyLine = rules.Rules.Any(r =>
            r.Regex is not null && r.Keywords.Count == 0 && r.Path?.IsMatch(path) == true
        );
        var candidate = everyLine ? null : rules.Candidates;
        var blocks = Blocks(reader)
            .AsParallel()
            .AsOrdered()
            .WithDegreeOfParallelism(Environment.ProcessorCount)
            .WithMergeOptions(ParallelMergeOptions.NotBuffered)
            .Select(block =>
                (
                    Findings: Regions(block.Span, candidate).SelectMany(r => ScanRegion(r.Text, r.Line, path)).ToList(),
                    Newlines: block.Span.Count('\n')
                )
            );
        foreach (var (findings, newlines) in blocks)
        {
            foreach (var finding in findings)
            {
                yield return finding with
                {
                    Line = finding.Line + lineNumber,
                };
            }

            lineNumber += newlines;
        }
    }

    /// <summary>
    /// The text in blocks of about a million characters, each ending at a line end, each in a buffer of its own.
    /// </summary>
    private static IEnumerable<ReadOnlyMemory<char>> Blocks(TextReader reader)
    {
        var buffer = new char[1 << 20];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = reader.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            var end = read == 0 ? filled : buffer.AsSpan(0, filled).LastIndexOf('\n') + 1;
            if (end > 0)
            {
                var next = new char[Math.Max(1 << 20, filled - end)];
                Array.Copy(buffer, end, next, 0, filled - end);
                yield return buffer.AsMemory(0, end);
                buffer = next;
                filled -= end;
            }

            if (read == 0)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The parts of a block the rules must see: the lines from <see cref="Reach"/> characters before each match of the
    /// candidate pattern to <see cref="Reach"/> characters past it, overlapping parts merged; the whole block without a
    /// pattern. Each with the number of line ends before it in the block.
    /// </summary>
    private static List<(string Text, int Line)> Regions(ReadOnlySpan<char> text, IReadOnlyList<Regex>? candidates)
    {
        var regions = new List<(string, int)>();
        if (candidates is null)
        {
            return text.Length == 0 ? regions : [(new string(text), 0)];
        }

        var matches = new List<(int Index, int Length)>();
        foreach (var candidate in candidates)
        {
            foreach (var found in candidate.EnumerateMatches(text))
            {
                matches.Add((found.Index, found.Length));
            }
        }

        int start = -1,
            stop = -1,
            counted = 0,
            newlines = 0;
        matches.Sort();
        foreach (var match in matches)
        {
            if (LineStart(text, match.Index - Reach) <= stop && start >= 0)
            {
                stop = LineEnd(text, match.Index + match.Length + Reach);
                continue;
            }

            if (start >= 0)
            {
                regions.Add((new string(text[start..stop]), newlines));
            }

            start = LineStart(text, match.Index - Reach);
            newlines += text[counted..start].Count('\n');
            counted = start;
            stop = LineEnd(text, match.Index + match.Length + Reach);
        }

        if (start >= 0)
        {
            regions.Add((new string(text[start..stop]), newlines));
        }

        return regions;
    }

    private static int LineStart(ReadOnlySpan<char> text, int at) => at <= 0 ? 0 : text[..at].LastIndexOf('\n') + 1;

    private static int LineEnd(ReadOnlySpan<char> text, int from)
    {
        if (from >= text.Length)
        {
            return text.Length;
        }

        var end = text[from..].IndexOf('\n');
        return end < 0 ? text.Length : from + end;
    }

    /// <summary>Every rule's findings in one region whose first line is <paramref name="line"/> lines into the block,
    /// in order of line, column and rule.</summary>
    private IEnumerable<SecretFinding> ScanRegion(string text, int line, string path)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var lower = text.ToLowerInvariant();
        var found = new List<(int Index, int Rule, SecretRule Source, string Secret)>();
        for (var r = 0; r < rules.Rules.Count; r++)
        {
            var rule = rules.Rules[r];
            if (rule.Regex is null || !rule.AppliesTo(lower, path))
            {
                continue;
            }

            foreach (var (index, secret, match) in rule.Find(text))
            {
                var lines = LinesOf(text, index, secret.Length);
                if (
                    !lines.Contains(AllowSignature, StringComparison.Ordinal)
                    && !rule.Allowlists.Concat(rules.Allowlists).Any(a => a.Allows(secret, match, lines, path))
                )
                {
                    found.Add((index, r, rule, secret));
                }
            }
        }

        var lined = found.Select(f => (Found: f, Line: text.AsSpan(0, f.Index).Count('\n'))).ToList();
        return lined
            .Where(f =>
                !IsGeneric(f.Found.Source)
                || !lined.Any(o =>
                    o.Line == f.Line
                    && !IsGeneric(o.Found.Source)
                    && o.Found.Secret.Contains(f.Found.Secret, StringComparison.Ordinal)
                )
            )
            .OrderBy(f => f.Found.Index)
            .ThenBy(f => f.Found.Rule)
            .Select(f => Finding(f.Found.Source, f.Found.Secret, path, line + f.Line, ColumnOf(text, f.Found.Index)));
    }

    private const string AllowSignature = "gitleaks:allow";

    private static int ColumnOf(string text, int index) =>
        index - (index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1) + 1;

    // gitleaks' rule: a rule whose id says "generic" gives way to a more specific one.
    private static bool IsGeneric(SecretRule rule) => rule.Id.Contains("generic", StringComparison.OrdinalIgnoreCase);

    /// <summary>The whole lines a span of the text lies on.</summary>
    private static string LinesOf(string text, int index, int length)
    {
        var start = index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;
        var end = text.IndexOf('\n', index + length);
        return text[start..(end < 0 ? text.Length : end)];
    }

    private SecretFinding Finding(SecretRule rule, string secret, string path, int line, int column)
    {
        var fingerprint = key.Fingerprint(secret);
        return new SecretFinding
        {
            Path = path,
            Line = line,
            Column = column,
            Kind = rule.Id,
            Preview = rule.Id.StartsWith("known-secret", StringComparison.Ordinal)
                ? "********"
                : secret[..Math.Min(4, secret.Length / 4)] + "********",
            Fingerprint = fingerprint,
            IsKnown = _known.Contains(fingerprint),
        };
    }

    /// <summary>Reports the file when a path-only rule names it, then scans it unless it is binary (a NUL byte in its
    /// first 8 KiB).</summary>
    public IEnumerable<SecretFinding> ScanFile(string path)
    {
        foreach (var finding in PathFindings(path, path, path))
        {
            yield return finding;
        }

        using var stream = new FileStream(
            path,
            FileMode.Open,
            FileAccess.Read,
            FileShare.ReadWrite,
            1 << 16,
            FileOptions.SequentialScan
        );
        var head = new byte[8192];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (Array.IndexOf(head, (byte)0, 0, read) >= 0)
        {
            yield break;
        }

        stream.Position = 0;
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        foreach (var finding in ScanText(reader, path))
        {
            yield return finding;
        }
    }

    /// <summary>
    /// Scans files and folders (recursively), skipping .git folders; include and exclude take file-name wildcards.
    /// </summary>
    public IEnumerable<SecretFinding> ScanPaths(
        IEnumerable<string> paths,
        IReadOnlyList<string> include,
        IReadOnlyList<string> exclude
    )
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (var path in paths)
        {
            var files = File.Exists(path) ? [path] : Files(path);
            foreach (var file in files.Where(f => Selected(Path.GetFileName(f), include, exclude)))
            {
                foreach (var finding in ScanFile(file))
                {
                    yield return finding;
                }
            }
        }
    }

    /// <summary>
    /// Scans the lines every commit of a git repository added (<c>git log -p --all</c>); paths read <c>commit:file</c>.
    /// </summary>
    /// <exception cref="RecoveryException">git cannot be run there (<c>GitHistoryUnavailable</c>).</exception>
    public IEnumerable<SecretFinding> ScanGitHistory(string repository)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (
            var argument in new[]
            {
                "-C",
                repository,
                "log",
                "-p",
                "--all",
                "--no-color",
                "--unified=0",
                "--format=commit %h",
            }
        )
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new RecoveryException(
                "GitHistoryUnavailable",
                FailureKind.ObjectNotFound,
                $"git could not be run in '{repository}' ({ex.Message}).",
                repository,
                ex
            );
        }

        using (process)
        {
            string commit = string.Empty,
                file = string.Empty;
            var number = 0;
            var hunk = new StringBuilder();
            var first = 0;

            // The lines a hunk adds are one fragment, so a secret that spans them is found.
            IEnumerable<SecretFinding> Flush()
            {
                var text = hunk.ToString();
                hunk.Clear();
                return text.Length == 0 ? [] : ScanText(new StringReader(text), $"{commit}:{file}", first);
            }

            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith('+') && !line.StartsWith("+++ ", StringComparison.Ordinal))
                {
                    hunk.Append(line.AsSpan(1)).Append('\n');
                    continue;
                }

                foreach (var finding in Flush())
                {
                    yield return finding;
                }

                if (line.StartsWith("commit ", StringComparison.Ordinal))
                {
                    commit = line[7..];
                }
                else if (line.StartsWith("+++ ", StringComparison.Ordinal))
                {
                    file = line.StartsWith("+++ b/", StringComparison.Ordinal) ? line[6..] : line[4..];
                    foreach (var finding in PathFindings(file, $"{commit}:{file}", null))
                    {
                        yield return finding;
                    }
                }
                else if (HunkHeader().Match(line) is { Success: true } header)
                {
                    number = int.Parse(header.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    first = number;
                }
            }

            foreach (var finding in Flush())
            {
                yield return finding;
            }

            process.WaitForExit();
        }
    }

    /// <summary>
    /// What the rules with only a <c>path</c> find: the file itself (a <c>*.p12</c> key store, an <c>id_rsa</c>), at
    /// line 0, fingerprinted by its content when it is given (else by its path).
    /// </summary>
    private IEnumerable<SecretFinding> PathFindings(string path, string shown, string? file)
    {
        foreach (var rule in rules.Rules.Where(r => r.Regex is null && r.Path!.IsMatch(path)))
        {
            var identity = file is null
                ? "path:" + path
                : "file:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
            var fingerprint = key.Fingerprint(identity);
            yield return new SecretFinding
            {
                Path = shown,
                Line = 0,
                Column = 0,
                Kind = rule.Id,
                Preview = "(the file)",
                Fingerprint = fingerprint,
                IsKnown = _known.Contains(fingerprint),
            };
        }
    }

    private static IEnumerable<string> Files(string folder) =>
        new FileSystemEnumerable<string>(
            folder,
            (ref FileSystemEntry entry) => entry.ToFullPath(),
            new EnumerationOptions
            {
                RecurseSubdirectories = true,
                IgnoreInaccessible = true,
                AttributesToSkip = FileAttributes.ReparsePoint,
            }
        )
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory,
            ShouldRecursePredicate = (ref FileSystemEntry entry) =>
                !entry.FileName.Equals(".git", StringComparison.Ordinal),
        };

    private static bool Selected(string name, IReadOnlyList<string> include, IReadOnlyList<string> exclude) =>
        (include.Count == 0 || include.Any(p => FileSystemName.MatchesSimpleExpression(p, name, ignoreCase: true)))
        && !exclude.Any(p => FileSystemName.MatchesSimpleExpression(p, name, ignoreCase: true));

    [GeneratedRegex(@"^@@ -\S+ \+(\d+)")]
    private static partial Regex HunkHeader();
}
