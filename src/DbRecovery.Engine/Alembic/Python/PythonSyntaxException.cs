namespace DbRecovery.Engine.Alembic.Python;

/// <summary>A migration file is not Python the reader understands, at a line.</summary>
internal sealed class PythonSyntaxException(string message, int line) : Exception(message)
{
    public int Line { get; } = line;
}
