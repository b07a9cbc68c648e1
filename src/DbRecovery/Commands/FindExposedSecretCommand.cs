using System.Management.Automation;
using System.Security;
using DbRecovery.Engine.Secrets;

namespace DbRecovery.Commands;

/// <summary>
/// Finds exposed secrets (database passwords, API keys, tokens, private keys) in files, folders, text or git history,
/// or every copy of a known one.
/// </summary>
/// <remarks>
/// The rules are gitleaks' rule-file format; the built-in ones find URLs with a password for any scheme
/// (postgres, mysql, redis, amqp, mongodb+srv, https basic auth), key=value connection strings (ADO.NET, JDBC,
/// libpq), .pgpass lines, hosting API keys (rnd_...), AWS keys, GitHub and Slack tokens, private keys, JSON web
/// tokens, and values labelled as a password, secret, token or key however they are written: assignments, YAML,
/// .env, INI, TOML, JSON, docker-compose, shell exports, Markdown (bold labels, inline code, tables, lists) and
/// chat ("the password is ..."). Placeholders stay out: templates (${DB_PASSWORD}, &lt;new_key&gt;, {{ x }}),
/// [REDACTED-...], ****, names in capitals, words, stopwords such as changeme, and values of low entropy for their
/// length. -RulePath reads a team's own gitleaks rule file (with [extend] useDefault = true it adds to the built-in
/// rules). -Secret and -Credential look instead for every copy of the given values, verbatim, URL-encoded, base64
/// and as base64 user:password, so the CI variables, .env files and old commits that still hold a leaked password
/// can be found; they are never printed.
/// Folders are searched recursively; binary files and .git folders are skipped, unless -GitHistory scans the lines
/// every commit added. A finding carries at most a quarter of the secret's first characters (none for -Secret) and
/// a keyed fingerprint: HMAC-SHA256 under a key in ~/.dbrecovery/fingerprint.key (mode 0600, made on first use;
/// $env:DBRECOVERY_FINGERPRINT_KEY names another). Fingerprints tell whoever has that key that two findings are the
/// same secret, or one already rotated (-KnownFingerprint); without the key they reveal nothing, not even to a
/// dictionary. -SarifPath also writes the findings as SARIF 2.1.0 for code-scanning tools.
/// </remarks>
/// <example>
/// <code>Find-ExposedSecret -Path ./docs, ./ops -Include *.md, *.txt, *.env, *.yml</code>
/// <para>Lists every secret in the Markdown, text, env and YAML files under docs and ops.</para>
/// </example>
/// <example>
/// <code>Find-ExposedSecret -Path . -GitHistory -Secret (Read-Host -AsSecureString 'Leaked password')</code>
/// <para>Finds every commit that ever held the leaked password, in any of its encodings, without printing it.</para>
/// </example>
/// <example>
/// <code>Find-ExposedSecret -Path . -RulePath ./.gitleaks.toml -SarifPath ./secrets.sarif</code>
/// <para>Scans with the team's gitleaks rules and writes a SARIF report for the code-scanning tool.</para>
/// </example>
/// <example>
/// <code>Get-Content ./chat-export.txt | Find-ExposedSecret</code>
/// <para>Scans piped text, such as an exported chat where credentials were pasted.</para>
/// </example>
/// <seealso cref="TestCredentialRevokedCommand"/>
/// <seealso cref="ResetDatabasePasswordCommand"/>
[Cmdlet(VerbsCommon.Find, "ExposedSecret", DefaultParameterSetName = TextSet)]
[OutputType(typeof(SecretFinding))]
public sealed class FindExposedSecretCommand : RecoveryCmdlet
{
    private const string PathSet = "Path";
    private const string TextSet = "Text";
    private readonly List<SecretFinding> _findings = [];
    private SecretScanner? _scanner;
    private SecretRuleSet? _rules;
    private readonly System.Text.StringBuilder _text = new();

    /// <summary>Files or folders to scan (folders recursively), or with -GitHistory the repository.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Text to scan, for example lines piped from Get-Content; the lines piped are scanned together when the
    /// pipeline ends, so a secret spread over several of them is found.</summary>
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

    /// <summary>
    /// Fingerprints of secrets already rotated (from earlier findings, under the same key); their findings have IsKnown
    /// set.
    /// </summary>
    [Parameter]
    public string[] KnownFingerprint { get; set; } = [];

    /// <summary>A rule file in gitleaks' TOML format to scan with instead of the built-in rules.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RulePath { get; set; }

    /// <summary>
    /// Known secrets to find every copy of (verbatim, URL-encoded, base64) instead of scanning with rules.
    /// </summary>
    [Parameter]
    public SecureString[] Secret { get; set; } = [];

    /// <summary>
    /// Known credentials to find every copy of: the password as -Secret does, and base64 of user:password.
    /// </summary>
    [Parameter]
    [Credential]
    public PSCredential[] Credential { get; set; } = [];

    /// <summary>Also write the findings as a SARIF 2.1.0 log to this file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SarifPath { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        try
        {
            var known = Secret
                .Select(s => ((string?)null, new System.Net.NetworkCredential(string.Empty, s).Password))
                .Concat(Credential.Select(c => ((string?)c.UserName, c.GetNetworkCredential().Password)))
                .ToList();
            foreach (var (_, value) in known)
            {
                Mask.Add(value);
                Mask.Add(Uri.EscapeDataString(value));
            }

            _rules =
                known.Count > 0 ? SecretRuleSet.ForValues(known)
                : RulePath is null ? SecretRuleSet.BuiltIn
                : SecretRuleSet.Load(FileSystemPath(RulePath));
            _scanner = new SecretScanner(_rules, FingerprintKey.LoadOrCreate(), KnownFingerprint);
        }
        catch (Engine.Diagnostics.RecoveryException ex)
        {
            ThrowFailure(ex, RulePath);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ParameterSetName == TextSet)
        {
            // Piped lines are one text, as gitleaks reads a file: a key or manifest spread over them is found.
            using var reader = new StringReader(_text.ToString());
            foreach (var finding in _scanner!.ScanText(reader, "InputObject"))
            {
                Emit(finding);
            }
        }

        if (SarifPath is not null)
        {
            SarifReport.Write(FileSystemPath(SarifPath), _findings, _rules!);
        }
    }

    private void Emit(SecretFinding finding)
    {
        _findings.Add(finding);
        WriteObject(finding);
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == TextSet)
        {
            _text.Append(InputObject).Append('\n');
            return;
        }

        foreach (var path in Path.Select(FileSystemPath))
        {
            try
            {
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    throw new Engine.Diagnostics.RecoveryException(
                        "PathNotFound",
                        Engine.Diagnostics.FailureKind.ObjectNotFound,
                        $"'{path}' does not exist.",
                        path
                    );
                }

                var findings = GitHistory
                    ? _scanner!.ScanGitHistory(path)
                    : _scanner!.ScanPaths([path], Include, Exclude);
                foreach (var finding in findings)
                {
                    Emit(finding);
                }
            }
            catch (Exception ex)
                when (ex is Engine.Diagnostics.RecoveryException or IOException or UnauthorizedAccessException)
            {
                WriteFailure(ex, path);
            }
        }
    }
}
