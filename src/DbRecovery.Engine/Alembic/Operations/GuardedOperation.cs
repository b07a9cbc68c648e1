namespace DbRecovery.Engine.Alembic.Operations;

/// <summary>
/// An operation a migration runs only when an object of that name exists (or does not): <c>if "x_key" in
/// unique_constraints: op.drop_constraint("x_key", …)</c>, <c>if not index_exists(…, "ix"): op.create_index("ix",
/// …)</c>. The replay asks its own model of the schema, as the migration asks the catalog.
/// </summary>
public sealed record GuardedOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => Inner.Kind;

    /// <summary>The operation the guard lets run.</summary>
    public required MigrationOperation Inner { get; init; }

    /// <summary>The object the guard asks about.</summary>
    public required string Name { get; init; }

    /// <summary>Whether it must exist (true) or be missing (false) for the operation to run.</summary>
    public bool MustExist { get; init; }

    /// <summary>
    /// What the guard looks among, as its words say (<c>unique_constraints</c>, <c>index_exists</c>): <c>unique</c>,
    /// <c>foreignkey</c>, <c>index</c>, <c>column</c>, <c>table</c>, or <c>any</c> object of the schema.
    /// </summary>
    public string Among { get; init; } = "any";

    /// <inheritdoc />
    public override string Summary => $"{Inner.Summary} if {Name} {(MustExist ? "exists" : "does not exist")}";
}
