namespace DbRecovery.Engine.Catalog;

/// <summary>A view or materialized view and the table columns it depends on.</summary>
public sealed record ViewState
{
    /// <summary>The view's schema.</summary>
    public required string Schema { get; init; }

    /// <summary>The view's name.</summary>
    public required string Name { get; init; }

    /// <summary>Whether it is a materialized view.</summary>
    public bool IsMaterialized { get; init; }

    /// <summary>The owning role.</summary>
    public required string Owner { get; init; }

    /// <summary>The query as <c>pg_get_viewdef</c> prints it.</summary>
    public required string Definition { get; init; }

    /// <summary>Columns of tables and views its query uses, from <c>pg_depend</c>.</summary>
    public IReadOnlyList<ColumnReference> DependsOn { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => $"{Schema}.{Name}";
}
