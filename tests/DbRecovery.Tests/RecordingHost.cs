using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace DbRecovery.Tests;

/// <summary>
/// A PowerShell host that records what a person at the prompt would see (What if: lines, confirmation
/// prompts) and answers every confirmation with <see cref="Answer"/>.
/// </summary>
public sealed class RecordingHost : PSHost
{
    private readonly RecordingUserInterface _ui = new();

    public override string Name => "DbRecoveryTestHost";

    public override Version Version => new(1, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => _ui;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    /// <summary>The label of the choice every prompt is answered with (Yes, No, …).</summary>
    public string Answer
    {
        get => _ui.Answer;
        set => _ui.Answer = value;
    }

    public IReadOnlyList<string> Lines => _ui.Lines;

    public IReadOnlyList<(string Caption, string Message)> Prompts => _ui.Prompts;

    public void Clear() => _ui.Clear();

    public override void SetShouldExit(int exitCode) { }

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication() { }

    public override void NotifyEndApplication() { }

    private sealed class RecordingUserInterface : PSHostUserInterface
    {
        private readonly List<string> _lines = [];
        private readonly List<(string, string)> _prompts = [];

        public string Answer { get; set; } = "No";

        public IReadOnlyList<string> Lines => _lines;

        public IReadOnlyList<(string Caption, string Message)> Prompts => _prompts;

        public override PSHostRawUserInterface? RawUI => null;

        public void Clear()
        {
            _lines.Clear();
            _prompts.Clear();
        }

        public override int PromptForChoice(
            string caption,
            string message,
            Collection<ChoiceDescription> choices,
            int defaultChoice
        )
        {
            _prompts.Add((caption, message));
            var index = choices
                .ToList()
                .FindIndex(c => c.Label.Replace("&", string.Empty, StringComparison.Ordinal) == Answer);
            return index >= 0
                ? index
                : throw new InvalidOperationException(
                    $"No choice '{Answer}' among {string.Join(", ", choices.Select(c => c.Label))}."
                );
        }

        public override void WriteLine(string value) => _lines.Add(value);

        public override void Write(string value) => _lines.Add(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) =>
            _lines.Add(value);

        // Errors, warnings, verbose and debug text are in the pipeline's streams; Lines keeps what only the host shows.
        public override void WriteErrorLine(string value) { }

        public override void WriteDebugLine(string message) { }

        public override void WriteVerboseLine(string message) { }

        public override void WriteWarningLine(string message) { }

        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override string ReadLine() => throw new NotSupportedException("The test host does not read input.");

        public override SecureString ReadLineAsSecureString() =>
            throw new NotSupportedException("The test host does not read input.");

        public override Dictionary<string, PSObject> Prompt(
            string caption,
            string message,
            Collection<FieldDescription> descriptions
        ) => throw new NotSupportedException("The test host does not answer prompts for values.");

        public override PSCredential PromptForCredential(
            string caption,
            string message,
            string userName,
            string targetName
        ) => throw new NotSupportedException("The test host does not answer credential prompts.");

        public override PSCredential PromptForCredential(
            string caption,
            string message,
            string userName,
            string targetName,
            PSCredentialTypes allowedCredentialTypes,
            PSCredentialUIOptions options
        ) => throw new NotSupportedException("The test host does not answer credential prompts.");
    }
}
