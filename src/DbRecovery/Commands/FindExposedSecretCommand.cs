using System.Management.Automation;
using DbRecovery.Engine.Secrets;

namespace DbRecovery.Commands;

/// <summary>Finds exposed secrets (database passwords, API keys, tokens, private keys) in files, folders, text or git history.</summary>
/// <remarks>
/// Detects PostgreSQL URLs with a password, key=value connection strings with Password=, hosting API keys
/// (rnd_…), AWS access key ids and secret keys, GitHub and Slack tokens, private key blocks, JSON web tokens,
/// and password/secret/token assignments whose value looks random (placeholders such as PASSWORD, &lt;new_key&gt;
/// or *** are not reported). Folders are searched recursively; binary files and .git folders are skipped,
/// unless -GitHistory scans the lines every commit added. Files are streamed, never loaded whole. A finding
/// carries the secret's first four characters and its SHA-256 fingerprint, never the secret; -KnownFingerprint
/// marks secrets already rotated.
/// </remarks>
/// <example>
/// <code>Find-ExposedSecret -Path ./docs, ./ops -Include *.md, *.txt, *.env</code>
/// <para>Lists every secret in the Markdown, text and env files under docs and ops.</para>
/// </example>
/// <example>
/// <code>Find-ExposedSecret -Path . -GitHistory | Where-Object -Not IsKnown</code>
/// <para>Scans every line ever committed to the repository and keeps the secrets not yet rotated.</para>
/// </example>
/// <example>
/// <code>Get-Content ./chat-export.txt | Find-ExposedSecret</code>
/// <para>Scans piped text, such as an exported chat where credentials were pasted.</para>
/// </example>
[Cmdlet(VerbsCommon.Find, "ExposedSecret", DefaultParameterSetName = TextSet)]
[OutputType(typeof(SecretFinding))]
public sealed class FindExposedSecretCommand : RecoveryCmdlet
{
    private const string PathSet = "Path";
    private const string TextSet = "Text";
    private SecretScanner? _scanner;
    private int _line;

    /// <summary>Files or folders to scan (folders recursively), or with -GitHistory the repository.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Text to scan, for example lines piped from Get-Content.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TextSet)]
    [AllowEmptyString]
    public string? InputObject { get; set; }

    /// <summary>Only files whose names match these wildcards.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public string[] Include { get; set; } = [];

    /// <summary>Skip files whose names match these wildcards.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public string[] Exclude { get; set; } = [];

    /// <summary>Scan the lines every commit added (git log -p --all) instead of the files.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public SwitchParameter GitHistory { get; set; }

    /// <summary>Fingerprints of secrets already rotated; their findings have IsKnown set.</summary>
    [Parameter]
    public string[] KnownFingerprint { get; set; } = [];

    /// <inheritdoc />
    protected override void BeginProcessing() => _scanner = new SecretScanner(KnownFingerprint);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == TextSet)
        {
            using var reader = new StringReader(InputObject ?? string.Empty);
            foreach (var finding in _scanner!.ScanText(reader, "InputObject"))
            {
                WriteObject(finding with { Line = _line + finding.Line });
            }

            _line += Math.Max(1, (InputObject ?? string.Empty).Split('\n').Length);
            return;
        }

        foreach (var path in Path.Select(FileSystemPath))
        {
            try
            {
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    throw new Engine.Diagnostics.RecoveryException("PathNotFound", Engine.Diagnostics.FailureKind.ObjectNotFound, $"'{path}' does not exist.", path);
                }

                var findings = GitHistory ? _scanner!.ScanGitHistory(path) : _scanner!.ScanPaths([path], Include, Exclude);
                foreach (var finding in findings)
                {
                    WriteObject(finding);
                }
            }
            catch (Exception ex) when (ex is Engine.Diagnostics.RecoveryException or IOException or UnauthorizedAccessException)
            {
                WriteFailure(ex, path);
            }
        }
    }
}
