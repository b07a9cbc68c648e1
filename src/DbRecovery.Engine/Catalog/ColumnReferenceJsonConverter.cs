using System.Text.Json;
using System.Text.Json.Serialization;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// Reads a column reference as an object or as the text its <see cref="ColumnReference.ToString"/> writes
/// (what Export-Clixml keeps of an object nested deeper than its -Depth).
/// </summary>
internal sealed class ColumnReferenceJsonConverter : JsonConverter<ColumnReference>
{
    public override ColumnReference Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var (table, column) = QualifiedName.ParseColumn(reader.GetString()!);
            return new ColumnReference(table.Schema ?? "public", table.Name, column);
        }

        using var document = JsonDocument.ParseValue(ref reader);
        string Part(string name) =>
            document
                .RootElement.EnumerateObject()
                .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                .Value
                is { ValueKind: JsonValueKind.String } value
                ? value.GetString()!
                : throw new JsonException($"A column reference has no {name}.");
        return new ColumnReference(Part("Schema"), Part("Table"), Part("Column"));
    }

    public override void Write(Utf8JsonWriter writer, ColumnReference value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        string Name(string name) => options.PropertyNamingPolicy?.ConvertName(name) ?? name;
        writer.WriteStartObject();
        writer.WriteString(Name(nameof(ColumnReference.Schema)), value.Schema);
        writer.WriteString(Name(nameof(ColumnReference.Table)), value.Table);
        writer.WriteString(Name(nameof(ColumnReference.Column)), value.Column);
        writer.WriteEndObject();
    }
}
