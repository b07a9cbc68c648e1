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
public sealed partial class SecretScanner(SecretRuleSet rules, FingerprintKey key, IEnumerable<string>? knownFingerprints = null)
{
    private readonly HashSet<string> _known = new(knownFingerprints ?? [], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Scans text in blocks of whole lines: the candidate pattern is searched across each block at once
    /// (blocks in parallel, one per core), and only the lines it matches are given to the detectors.
    /// Findings come out in order.
    /// </summary>
    public IEnumerable<SecretFinding> ScanText(TextReader reader, string path)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(path);
        var lineNumber = 1;

        // A rule limited to this path that has no keywords must see every line of the file.
        var candidate = rules.Rules.Any(r => r.Keywords.Count == 0 && r.Path?.IsMatch(path) == true) ? null : rules.Candidate;
        var blocks = Blocks(reader).AsParallel().AsOrdered()
            .WithDegreeOfParallelism(Environment.ProcessorCount)
            .WithMergeOptions(ParallelMergeOptions.NotBuffered)
            .Select(block => CandidateLines(block.Span, candidate));
        foreach (var (lines, newlines) in blocks)
        {
            foreach (var (line, offset) in lines)
            {
                foreach (var finding in ScanLine(line, path, lineNumber + offset))
                {
                    yield return finding;
                }
            }

            lineNumber += newlines;
        }
    }

    /// <summary>The text in blocks of about a million characters, each ending at a line end, each in a buffer of its own.</summary>
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

    /// <summary>The lines of a block the candidate pattern matches (every line without one), with the number of line ends before each, and the block's line ends.</summary>
    private static (List<(string Line, int Offset)> Lines, int Newlines) CandidateLines(ReadOnlySpan<char> text, Regex? candidate)
    {
        var lines = new List<(string, int)>();
        if (candidate is null)
        {
            var all = new string(text).Split('\n');
            var count = all.Length - (text.Length > 0 && text[^1] == '\n' ? 1 : 0);
            return (all.Take(count).Select((l, i) => (l.TrimEnd('\r'), i)).ToList(), text.Count('\n'));
        }

        var counted = 0;
        var newlines = 0;
        var skipUntil = 0;
        foreach (var match in candidate.EnumerateMatches(text))
        {
            if (match.Index < skipUntil)
            {
                continue;
            }

            // A match may run over line ends (\s matches them); every line it touches is a candidate.
            var start = text[..match.Index].LastIndexOf('\n') + 1;
            var last = Math.Max(match.Index, match.Index + match.Length - 1);
            var length = text[last..].IndexOf('\n');
            var stop = length < 0 ? text.Length : last + length;
            newlines += text[counted..start].Count('\n');
            counted = start;
            foreach (var line in new string(text[start..stop]).Split('\n'))
            {
                lines.Add((line.TrimEnd('\r'), newlines));
                newlines++;
            }

            newlines--;
            counted = stop;
            skipUntil = stop;
        }

        return (lines, newlines + text[counted..].Count('\n'));
    }

    /// <summary>Scans a file, unless it is binary (a NUL byte in its first 8 KiB).</summary>
    public IEnumerable<SecretFinding> ScanFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
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

    /// <summary>Scans files and folders (recursively), skipping .git folders; include and exclude take file-name wildcards.</summary>
    public IEnumerable<SecretFinding> ScanPaths(IEnumerable<string> paths, IReadOnlyList<string> include, IReadOnlyList<string> exclude)
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

    /// <summary>Scans the lines every commit of a git repository added (<c>git log -p --all</c>); paths read <c>commit:file</c>.</summary>
    /// <exception cref="RecoveryException">git cannot be run there (<c>GitHistoryUnavailable</c>).</exception>
    public IEnumerable<SecretFinding> ScanGitHistory(string repository)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-C", repository, "log", "-p", "--all", "--no-color", "--unified=0", "--format=commit %h" })
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
            throw new RecoveryException("GitHistoryUnavailable", FailureKind.ObjectNotFound, $"git could not be run in '{repository}' ({ex.Message}).", repository, ex);
        }

        using (process)
        {
            string commit = string.Empty, file = string.Empty;
            var number = 0;
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith("commit ", StringComparison.Ordinal))
                {
                    commit = line[7..];
                }
                else if (line.StartsWith("+++ ", StringComparison.Ordinal))
                {
                    file = line.StartsWith("+++ b/", StringComparison.Ordinal) ? line[6..] : line[4..];
                }
                else if (HunkHeader().Match(line) is { Success: true } hunk)
                {
                    number = int.Parse(hunk.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith('+'))
                {
                    foreach (var finding in ScanLine(line[1..], $"{commit}:{file}", number))
                    {
                        yield return finding;
                    }

                    number++;
                }
            }

            process.WaitForExit();
        }
    }

    private IEnumerable<SecretFinding> ScanLine(string line, string path, int number)
    {
        var taken = new List<(int Start, int End)>();
        var lower = line.ToLowerInvariant();
        foreach (var rule in rules.Rules.Where(r => r.AppliesTo(lower, path)))
        {
            foreach (var (index, secret, match) in rule.Find(line))
            {
                if (taken.Any(t => index < t.End && t.Start < index + secret.Length)
                    || rule.Allowlists.Concat(rules.Allowlists).Any(a => a.Allows(secret, match, line, path)))
                {
                    continue;
                }

                taken.Add((index, index + secret.Length));
                var fingerprint = key.Fingerprint(secret);
                yield return new SecretFinding
                {
                    Path = path,
                    Line = number,
                    Column = index + 1,
                    Kind = rule.Id,
                    Preview = rule.Id.StartsWith("known-secret", StringComparison.Ordinal) ? "********" : secret[..Math.Min(4, secret.Length / 4)] + "********",
                    Fingerprint = fingerprint,
                    IsKnown = _known.Contains(fingerprint),
                };
            }
        }
    }

    private static IEnumerable<string> Files(string folder) =>
        new FileSystemEnumerable<string>(folder, (ref FileSystemEntry entry) => entry.ToFullPath(), new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory,
            ShouldRecursePredicate = (ref FileSystemEntry entry) => !entry.FileName.Equals(".git", StringComparison.Ordinal),
        };

    private static bool Selected(string name, IReadOnlyList<string> include, IReadOnlyList<string> exclude) =>
        (include.Count == 0 || include.Any(p => FileSystemName.MatchesSimpleExpression(p, name, ignoreCase: true)))
        && !exclude.Any(p => FileSystemName.MatchesSimpleExpression(p, name, ignoreCase: true));

    [GeneratedRegex(@"^@@ -\S+ \+(\d+)")]
    private static partial Regex HunkHeader();
}
