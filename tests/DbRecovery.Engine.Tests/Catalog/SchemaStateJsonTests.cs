using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Catalog;

public sealed class SchemaStateJsonTests : DatabaseTest
{
    [Fact]
    public async Task Round_trip_is_exact_and_holds_no_connection_secret()
    {
        await Database.ExecuteAsync(FixtureSchema.Sql);
        var state = await SnapshotAsync();

        var json = SchemaStateJson.Serialize(state);
        var back = SchemaStateJson.Deserialize(json, "test.json");

        Assert.Equal(json, SchemaStateJson.Serialize(back));
        Assert.Equal(state.CapturedAt, back.CapturedAt);
        Assert.Equal(state.Tables.Count, back.Tables.Count);
        Assert.Equal(state.FindTable("app", "users")!.Columns, back.FindTable("app", "users")!.Columns);
        Assert.Equal(state.ForeignKeys.Select(f => f.Definition), back.ForeignKeys.Select(f => f.Definition));
        Assert.Contains("\"formatVersion\": 1", json, StringComparison.Ordinal);
        Assert.DoesNotContain(Database.Settings.Password!, json, StringComparison.Ordinal);
        Assert.DoesNotContain(Database.Settings.Host!, json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"formatVersion\": 99, \"schema\": {\"database\": \"d\", \"serverVersion\": \"15\"}}")]
    public void Rejects_documents_that_are_not_snapshots(string json)
    {
        var error = Assert.Throws<RecoveryException>(() => SchemaStateJson.Deserialize(json, "x.json"));

        Assert.Equal("SchemaStateInvalid", error.ErrorId);
        Assert.Contains("x.json", error.Message, StringComparison.Ordinal);
    }
}
