namespace DbRecovery.Engine.Catalog;

/// <summary>Which names of a database <see cref="CatalogNames"/> lists.</summary>
public enum CatalogNameKind
{
    /// <summary>Tables, partitioned ones included: <c>name</c> in public, <c>schema.name</c> elsewhere.</summary>
    Table,

    /// <summary>Schemas other than PostgreSQL's own.</summary>
    Schema,

    /// <summary>The columns of one table, in column order.</summary>
    Column,

    /// <summary>Roles other than PostgreSQL's predefined pg_* roles.</summary>
    Role,

    /// <summary>Tables with a <c>version_num</c> column, the shape of Alembic's version table.</summary>
    VersionTable,

    /// <summary>The columns of a table that are in one of its keys (primary, unique or foreign): what a key conversion
    /// can convert.</summary>
    KeyColumn,
}
