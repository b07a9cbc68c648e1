namespace DbRecovery.Engine.Conversion;

/// <summary>
/// A table's converted values as a conversion proves them unchanged: its row count and, per column, an
/// order-independent checksum of the values as (lower-case) text.
/// </summary>
/// <param name="Rows">The table's rows.</param>
/// <param name="Checksums">One checksum a converted column, in the plan's order.</param>
internal sealed record ValueFingerprint(long Rows, IReadOnlyList<decimal> Checksums)
{
    /// <summary>Equal when the rows and every checksum are.</summary>
    public bool Equals(ValueFingerprint? other) =>
        other is not null && Rows == other.Rows && Checksums.SequenceEqual(other.Checksums);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Rows, Checksums.Count);

    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"{Rows} rows, checksums {string.Join(" ", Checksums)}");
}
