namespace DbRecovery.Engine.Alembic.Python;

/// <summary>Kinds of Python tokens the migration reader distinguishes.</summary>
internal enum PythonTokenKind
{
    Name,
    Number,
    String,
    Operator,
    Newline,
    EndOfFile,
}

/// <summary>One token. <see cref="Value"/> holds a string literal's decoded text.</summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Text">The token as written.</param>
/// <param name="Value">For strings: the decoded value.</param>
/// <param name="Line">1-based line of the first character.</param>
/// <param name="Column">0-based column of the first character (tabs to multiples of 8).</param>
/// <param name="StartsLine">Whether the token starts a logical line.</param>
/// <param name="IsFormatted">For strings: an f-string, whose value cannot be known statically.</param>
internal readonly record struct PythonToken(
    PythonTokenKind Kind,
    string Text,
    string? Value,
    int Line,
    int Column,
    bool StartsLine,
    bool IsFormatted = false
)
{
    public bool Is(string text) =>
        Kind is PythonTokenKind.Operator or PythonTokenKind.Name && string.Equals(Text, text, StringComparison.Ordinal);
}
