using DbRecovery.Engine.Conversion;

namespace DbRecovery.Engine.Tests.Conversion;

/// <summary>
/// The hash the offline conversion's check before COMMIT sums, on real PostgreSQL: read before the rewrite from the old
/// type and after it from the new one (one expression for both), it is the same for the same values, and one changed value changes the sum.
/// </summary>
public sealed class ValueHashTests : DatabaseTest
{
    private const string OtherText =
        "overlay(key placing CASE WHEN left(key, 1) = 'f' THEN 'e' ELSE 'f' END from 1 for 1)";

    private const string OtherUuid =
        "overlay(key::text placing CASE WHEN left(key::text, 1) = 'f' THEN 'e' ELSE 'f' END from 1 for 1)::uuid";

    [Theory]
    [InlineData("uuid", "varchar(36)", "gen_random_uuid()", OtherText)]
    [InlineData("uuid", "text", "gen_random_uuid()", OtherText)]
    [InlineData("varchar(40)", "uuid", "upper(gen_random_uuid()::text)", OtherUuid)]
    [InlineData("varchar(40)", "uuid", "'{' || gen_random_uuid() || '}'", OtherUuid)]
    [InlineData("text", "uuid", "replace(gen_random_uuid()::text, '-', '')", OtherUuid)]
    [InlineData("integer", "bigint", "(random() * 2147483647)::int", "key # 1")]
    [InlineData("smallint", "integer", "(random() * 32767)::smallint", "key # 1")]
    [InlineData("smallint", "bigint", "(-random() * 32768)::smallint", "key # 1")]
    public async Task Is_the_same_before_and_after_the_rewrite_and_sees_one_changed_value(
        string from,
        string to,
        string value,
        string other
    )
    {
        var column = new PlannedColumn
        {
            Schema = "public",
            Table = "t",
            Column = "key",
            From = from,
            To = to,
        };
        var sum = $"SELECT sum({ConversionRun.Hash(column)})::text FROM t";
        await Database.ExecuteAsync(
            $"CREATE TABLE t (key {from}); INSERT INTO t SELECT {value} FROM generate_series(1, 500)"
        );
        var before = await Database.ScalarAsync<string>(sum);

        await Database.ExecuteAsync($"ALTER TABLE t ALTER COLUMN key TYPE {to} USING key::{to}");
        var same = await Database.ScalarAsync<string>(sum);
        await Database.ExecuteAsync($"UPDATE t SET key = {other} WHERE ctid = (SELECT min(ctid) FROM t)");
        var changed = await Database.ScalarAsync<string>(sum);

        Assert.Equal(before, same);
        Assert.NotEqual(same, changed);
    }
}
