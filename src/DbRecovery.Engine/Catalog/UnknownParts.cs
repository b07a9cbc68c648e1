namespace DbRecovery.Engine.Catalog;

/// <summary>
/// The parts of a table whose shape the static replay cannot know, because a migration changed them in a way only
/// running it shows (a loop over reflected foreign keys, an <c>alter_column</c> on a table named at run time).
/// </summary>
[Flags]
public enum UnknownParts
{
    /// <summary>Everything is known.</summary>
    None = 0,

    /// <summary>Its columns: names, types, nullability (and so whatever is built on them).</summary>
    Columns = 1,

    /// <summary>Its primary key, foreign keys and unique constraints.</summary>
    Keys = 2,

    /// <summary>Its indexes.</summary>
    Indexes = 4,

    /// <summary>All of it: only that the table exists is known.</summary>
    All = Columns | Keys | Indexes,

    /// <summary>Whether it exists at all (a table created only when a condition the replay cannot evaluate
    /// holds).</summary>
    Existence = 8,
}
