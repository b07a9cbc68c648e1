using DbRecovery.Engine.Alembic.Python;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// A project's own column type: a class with an <c>impl</c> (a SQLAlchemy <c>TypeDecorator</c>, such as Mistral's
/// <c>JsonEncoded</c> with <c>impl = sa.Text</c>). PostgreSQL stores what its <c>impl</c> is.
/// </summary>
/// <param name="Impl">The type it is stored as (inherited from its base when it gives none).</param>
/// <param name="Line">The line of its <c>class</c>.</param>
internal sealed record TypeDecoratorClass(PythonExpression Impl, int Line) : PythonExpression(Line);
