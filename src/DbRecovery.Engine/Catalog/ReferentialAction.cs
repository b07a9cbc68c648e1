namespace DbRecovery.Engine.Catalog;

/// <summary>What a foreign key does when the referenced row is deleted or updated.</summary>
public enum ReferentialAction
{
    /// <summary><c>NO ACTION</c> (the default).</summary>
    NoAction,

    /// <summary><c>RESTRICT</c>.</summary>
    Restrict,

    /// <summary><c>CASCADE</c>.</summary>
    Cascade,

    /// <summary><c>SET NULL</c>.</summary>
    SetNull,

    /// <summary><c>SET DEFAULT</c>.</summary>
    SetDefault,
}

/// <summary>The SQL spelling of a <see cref="ReferentialAction"/>.</summary>
public static class ReferentialActionSql
{
    /// <summary>The action as a foreign key definition writes it: <c>SET NULL</c>, <c>NO ACTION</c>.</summary>
    public static string ToSql(this ReferentialAction action) =>
        action switch
        {
            ReferentialAction.Restrict => "RESTRICT",
            ReferentialAction.Cascade => "CASCADE",
            ReferentialAction.SetNull => "SET NULL",
            ReferentialAction.SetDefault => "SET DEFAULT",
            _ => "NO ACTION",
        };
}
