using System.Text.Json;
using System.Text.Json.Nodes;

namespace DbRecovery.Engine.Secrets;

/// <summary>
/// Findings as a SARIF 2.1.0 log, for code-scanning tools: rule, location and fingerprint of each, never the secret.
/// </summary>
public static class SarifReport
{
    /// <summary>Writes <paramref name="findings"/> of <paramref name="rules"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<SecretFinding> findings, SecretRuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(rules);
        var used = findings.Select(f => f.Kind).Distinct(StringComparer.Ordinal).ToList();
        var log = new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(
                new JsonObject
                {
                    ["tool"] = new JsonObject
                    {
                        ["driver"] = new JsonObject
                        {
                            ["name"] = "DbRecovery Find-ExposedSecret",
                            ["informationUri"] = "https://example.invalid/dbrecovery",
                            ["rules"] = new JsonArray(
                                used.Select(id =>
                                        (JsonNode)
                                            new JsonObject
                                            {
                                                ["id"] = id,
                                                ["shortDescription"] = new JsonObject
                                                {
                                                    ["text"] = rules.Rules.FirstOrDefault(r => r.Id == id)?.Description
                                                        is { Length: > 0 } d
                                                        ? d
                                                        : id,
                                                },
                                            }
                                    )
                                    .ToArray()
                            ),
                        },
                    },
                    ["results"] = new JsonArray(
                        findings
                            .Select(f =>
                                (JsonNode)
                                    new JsonObject
                                    {
                                        ["ruleId"] = f.Kind,
                                        ["level"] = f.IsKnown ? "note" : "error",
                                        ["message"] = new JsonObject
                                        {
                                            ["text"] =
                                                $"{f.Kind}: {f.Preview}"
                                                + (f.IsKnown ? " (already rotated)" : string.Empty),
                                        },
                                        ["locations"] = new JsonArray(
                                            new JsonObject
                                            {
                                                ["physicalLocation"] = new JsonObject
                                                {
                                                    ["artifactLocation"] = new JsonObject
                                                    {
                                                        ["uri"] = f.Path.Replace('\\', '/'),
                                                    },
                                                    ["region"] = new JsonObject
                                                    {
                                                        ["startLine"] = Math.Max(1, f.Line),
                                                        ["startColumn"] = Math.Max(1, f.Column),
                                                    },
                                                },
                                            }
                                        ),
                                        ["partialFingerprints"] = new JsonObject
                                        {
                                            ["dbrecovery/keyed-sha256/v1"] = f.Fingerprint,
                                        },
                                    }
                            )
                            .ToArray()
                    ),
                }
            ),
        };
        File.WriteAllText(path, log.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
