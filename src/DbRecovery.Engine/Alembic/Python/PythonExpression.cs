namespace DbRecovery.Engine.Alembic.Python;

/// <summary>A Python expression as far as migration files need: literals, names, calls, collections.</summary>
internal abstract record PythonExpression(int Line)
{
    /// <summary>
    /// The value as a string when it is a plain (non-f) string literal, or an
    /// <c>op.f("...")</c>/<c>batch_op.f("...")</c>/<c>sa.text("...")</c> of one.
    /// </summary>
    public string? AsString() =>
        this switch
        {
            PythonString { IsFormatted: false } s => s.Value,
            PythonCall
            {
                Function: PythonName { Dotted: "f" or "sa.text" or "text" or "sqlalchemy.text" },
                Arguments: [var inner, ..]
            } => inner.AsString(),
            // op.f("…") and batch_op.f("…") (any alias of the batch context) mark a name as final.
            PythonCall { Function: PythonName { Dotted: var dotted }, Arguments: [var inner, ..] }
                when dotted.EndsWith(".f", StringComparison.Ordinal) => inner.AsString(),
            _ => null,
        };

    public bool IsNone => this is PythonName { Dotted: "None" };
}

internal sealed record PythonString(string Value, bool IsFormatted, int Line) : PythonExpression(Line);

internal sealed record PythonNumber(string Text, int Line) : PythonExpression(Line);

/// <summary>A name or dotted name such as <c>sa.String</c>; also <c>None</c>, <c>True</c>, <c>False</c>.</summary>
internal sealed record PythonName(string Dotted, int Line) : PythonExpression(Line)
{
    public string Last => Dotted[(Dotted.LastIndexOf('.') + 1)..];
}

internal sealed record PythonCall(
    PythonExpression Function,
    IReadOnlyList<PythonExpression> Arguments,
    IReadOnlyDictionary<string, PythonExpression> Keywords,
    int Line
) : PythonExpression(Line)
{
    public string FunctionName => Function is PythonName name ? name.Dotted : string.Empty;

    public PythonExpression? Keyword(string name) => Keywords.GetValueOrDefault(name);

    /// <summary>
    /// The argument given by position <paramref name="index"/> or by keyword <paramref name="name"/>.
    /// </summary>
    public PythonExpression? Argument(int index, string name) =>
        Keywords.GetValueOrDefault(name) ?? (index < Arguments.Count ? Arguments[index] : null);
}

/// <summary>A tuple, list or set display.</summary>
internal sealed record PythonSequence(IReadOnlyList<PythonExpression> Items, int Line) : PythonExpression(Line);

internal sealed record PythonDictionary(IReadOnlyList<(PythonExpression Key, PythonExpression Value)> Entries, int Line)
    : PythonExpression(Line);

internal sealed record PythonAttribute(PythonExpression Target, string Name, int Line) : PythonExpression(Line);

internal sealed record PythonSubscript(PythonExpression Target, PythonExpression Index, int Line)
    : PythonExpression(Line);

internal sealed record PythonBinary(PythonExpression Left, string Operator, PythonExpression Right, int Line)
    : PythonExpression(Line);

/// <summary><c>not</c> and its operand.</summary>
internal sealed record PythonNot(PythonExpression Operand, int Line) : PythonExpression(Line);

/// <summary>A list, tuple or generator comprehension: <c>[(t, "id") for t in names if t]</c>.</summary>
internal sealed record PythonComprehension(
    PythonExpression Element,
    IReadOnlyList<string> Targets,
    PythonExpression Iterable,
    IReadOnlyList<PythonExpression> Conditions,
    int Line
) : PythonExpression(Line);

/// <summary>
/// A function that returns one expression: a <c>lambda</c> (migrations use them to make a fresh column each time) or a
/// module-level <c>def f(name, table): return sa.Column(...)</c> helper.
/// </summary>
internal sealed record PythonFunction(IReadOnlyList<string> Parameters, PythonExpression Body, int Line)
    : PythonExpression(Line);

/// <summary>Something the reader does not model (a lambda, a comprehension, a conditional).</summary>
internal sealed record PythonOpaque(string Text, int Line) : PythonExpression(Line);
