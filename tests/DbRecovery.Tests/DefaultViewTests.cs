using System.Text.RegularExpressions;
using System.Xml.Linq;
using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

/// <summary>
/// The default views as an operator sees them at 120 columns (Out-String -Width 120 in the hosted engine with
/// the Utility cmdlets): no line wider, every column header whole on one line, and the values an operator looks
/// for visible and unwrapped. The objects come from the cmdlets, on a database staged with real Alembic.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class DefaultViewTests(PowerShellSession shell, DefaultViewTests.StagedIncident incident)
    : IClassFixture<DefaultViewTests.StagedIncident>
{
    private Dictionary<string, object?> Vars =>
        new()
        {
            ["url"] = incident.Database.Url,
            ["project"] = incident.Project.Root,
            ["folder"] = incident.Folder,
            ["journal"] = Path.Combine(incident.Folder, "journal.jsonl"),
        };

    [Fact]
    public void SchemaState_shows_the_server_version_without_the_distribution_banner()
    {
        var lines = Render(
            "Get-SchemaState -ConnectionString $url",
            "Database",
            "Server",
            "Tables",
            "ForeignKeys",
            "AlembicVersion",
            "CapturedAt"
        );

        var row = Assert.Single(lines, l => l.StartsWith(incident.Database.Name, StringComparison.Ordinal));
        Assert.Matches(@"^\S+\s+\d+(\.\d+)+\s+\d+\s+\d+\s+" + AlembicHistories.IncidentDataOnly + @"\s", row);
        Assert.DoesNotContain("(", row, StringComparison.Ordinal);
    }

    [Fact]
    public void ForeignKeyState_shows_both_actions_and_whether_the_key_is_validated()
    {
        var lines = Render(
            "(Get-SchemaState -ConnectionString $url).ForeignKeys",
            "Name",
            "Table",
            "Columns",
            "References",
            "OnDelete",
            "OnUpdate",
            "Valid"
        );

        AssertLine(
            lines,
            @"^deals_created_by_fkey\s+public\.deals\s+created_by\s+public\.users\(id\)\s+SET NULL\s+NO ACTION\s+True$"
        );
        AssertLine(
            lines,
            @"^comments_author_cascade_fkey\s+public\.comments\s+author_id\s+public\.users\(id\)\s+NO ACTION\s+CASCADE\s+False$"
        );
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void SchemaDifference_names_the_object_that_differs_by_table_at_80_and_120_columns(int width)
    {
        var lines = Render(
            "Compare-SchemaState -Reference (Get-RevisionSchema -Path $project -Revision "
                + $"{AlembicHistories.IncidentDataOnly}) -Difference (Get-SchemaState -ConnectionString $url)",
            width,
            "Kind",
            "Object",
            "Expected",
            "Actual"
        );

        AssertLine(lines, @"^\s*Table: public\.documents$");
        AssertLine(lines, @"^ExtraIndex\s+documents_name_key\s+UNIQUE \(name\)$");
        var mismatch = string.Join(
            '\n',
            lines
                .SkipWhile(l => !l.StartsWith("ForeignKeyMismatch", StringComparison.Ordinal))
                .TakeWhile(l => l.Length > 0)
        );
        Assert.Matches(
            @"^ForeignKeyMismatch\s+comments_author_\s+public\.users\(id\)( ON)?\s+public\.users\(id\)",
            mismatch
        );
        Assert.Matches(@"\s+cascade_fkey\s+", mismatch);
        Assert.Matches(@"UPDATE NO ACTION\s+UPDATE CASCADE", mismatch);
    }

    [Fact]
    public void RevisionMatch_shows_the_revisions_that_tie_with_the_best()
    {
        var lines = Render(
            "Find-AlembicRevision -Path $project -ConnectionString $url",
            "Rank",
            "Revision",
            "Score",
            "Stamped",
            "Missing",
            "Extra",
            "TypeDrift",
            "EquallyLikely",
            "Explanation"
        );

        var best = Assert.Single(lines, l => l.StartsWith("1 ", StringComparison.Ordinal));
        var tie = best.Contains(AlembicHistories.IncidentDataOnly, StringComparison.Ordinal)
            ? "7a8b9c0d1e2f"
            : AlembicHistories.IncidentDataOnly;
        Assert.Matches(@"^1\s+\w{12}\s+0\.\d\d\s+(True|False)\s+\d+\s+\d+\s+\d+\s+" + tie + @"\s", best);
    }

    [Fact]
    public void ColumnConversion_shows_the_duration_in_seconds()
    {
        var lines = Render(
            "Convert-IdColumns -ConnectionString $url -Table organizations -To uuid -Confirm:$false",
            "Schema",
            "Table",
            "Column",
            "From",
            "To",
            "Rows",
            "Duration"
        );

        AssertLine(lines, @"^public\s+organizations\s+id\s+character varying\(36\)\s+uuid\s+2\s+\d+\.\d s$");
        AssertLine(lines, @"^public\s+users\s+organization_id\s+character varying\(36\)\s+uuid\s+2\s+\d+\.\d s$");
        shell
            .Run(
                "Convert-IdColumns -ConnectionString $url -Table organizations -To 'varchar(36)' -Confirm:$false",
                Vars
            )
            .ThrowOnError();
    }

    [Fact]
    public void BackupInfo_shows_the_size_in_units_and_the_duration_in_seconds()
    {
        var lines = Render(
            "Backup-Database -ConnectionString $url -Path (Join-Path $folder ('backup-' + [guid]::NewGuid()))",
            "Path",
            "Database",
            "Size",
            "Tables",
            "Rows",
            "Duration",
            "Verified"
        );

        AssertLine(lines, @"\s\d+(\.\d)? (KB|MB)\s+\d+\s+\d+\s+\d+\.\d s\s+(True|False)$");
    }

    [Fact]
    public void AlembicVersionRow_reads_as_the_revision_and_where_it_is_stamped()
    {
        Render("Get-AlembicVersion -ConnectionString $url", "Revision", "VersionTable", "Database");
        var text = shell
            .Run("\"$(Get-AlembicVersion -ConnectionString $url)\"", Vars)
            .ThrowOnError()
            .Output.Single()
            .ToString();

        Assert.Equal($"{AlembicHistories.IncidentDataOnly} (public.alembic_version in {incident.Database.Name})", text);
    }

    /// <summary>
    /// Every table view of the format file, on an object the cmdlets produced: its headers whole on one line, no line
    /// over 120.
    /// </summary>
    [Theory]
    [InlineData("Get-SchemaState -ConnectionString $url", "SchemaState")]
    [InlineData("(Get-SchemaState -ConnectionString $url).Tables", "TableState")]
    [InlineData("(Get-SchemaState -ConnectionString $url).Tables[0].Columns", "ColumnState")]
    [InlineData("(Get-SchemaState -ConnectionString $url).Tables.Indexes", "IndexState")]
    [InlineData("(Get-SchemaState -ConnectionString $url).Tables.Constraints", "ConstraintState")]
    [InlineData("(Get-SchemaState -ConnectionString $url).Views", "ViewState")]
    [InlineData("(Get-SchemaState -ConnectionString $url).Sequences", "SequenceState")]
    [InlineData("(Get-SchemaState -ConnectionString $url).Enums", "EnumTypeState")]
    [InlineData("(Get-SchemaState -ConnectionString $url).Tables.Triggers", "TriggerState")]
    [InlineData("(Get-SchemaState -ConnectionString $url).Tables.Policies", "PolicyState")]
    [InlineData("Get-AlembicHistory -Path $project", "AlembicRevision")]
    [InlineData("Test-RecoveryState -Path $project -ConnectionString $url", "RecoveryCheck")]
    [InlineData(
        "(Test-AlembicUpgrade -Path $project -ConnectionString $url -From 1a2b3c4d5e6f).Findings",
        "UpgradeFinding"
    )]
    [InlineData("Get-RecoveryJournal -JournalPath $journal", "JournalEntry")]
    [InlineData("Get-RecoveryJournal -JournalPath $journal", "JournalEntry", 80)]
    [InlineData(
        "Set-AlembicVersion -Path $project -ConnectionString $url -Revision 58ea862c1242 -JournalPath $journal "
            + "-Confirm:$false",
        "AlembicVersionChange"
    )]
    [InlineData(
        "Set-Content (Join-Path $folder 'deploy.md') "
            + "'`DATABASE_URL=postgresql://app:Inv3nted-Examp1e-Pw@db.example.test/app`'; Find-ExposedSecret -Path "
            + "$folder",
        "SecretFinding"
    )]
    [InlineData("Test-CredentialRevoked -ConnectionString $url", "CredentialCheck")]
    public void Every_table_view_fits_120_columns_with_its_headers_whole(string script, string type, int width = 120)
    {
        var view = XDocument
            .Load(Path.Combine(RepositoryPaths.ModuleDirectory, "DbRecovery.format.ps1xml"))
            .Descendants("View")
            .Single(v =>
                v.Element("ViewSelectedBy")!.Element("TypeName")!.Value.EndsWith("." + type, StringComparison.Ordinal)
            );
        var headers = view.Descendants("TableColumnHeader").Select(h => h.Element("Label")!.Value).ToArray();
        if (type == "JournalEntry")
        {
            shell
                .Run(
                    "Convert-IdColumns -ConnectionString $url -Table documents -To uuid -JournalPath $journal "
                        + "-Confirm:$false; Convert-IdColumns -ConnectionString $url -Table documents -To "
                        + "'varchar(36)' -JournalPath $journal -Confirm:$false",
                    Vars
                )
                .ThrowOnError();
        }

        var lines = Render(script, width, headers);

        Assert.True(lines.Count(l => l.Trim().Length > 0) > 2, $"no rows for {type}:\n{string.Join('\n', lines)}");
    }

    private static void AssertLine(List<string> lines, string pattern) =>
        Assert.True(
            lines.Any(l => Regex.IsMatch(l, pattern)),
            $"no line matches {pattern} in:\n{string.Join('\n', lines)}"
        );

    /// <summary>
    /// Renders <paramref name="script"/>'s output at 120 columns and checks the frame: no line wider, and the header
    /// line holds every label, whole, in order. Returns the lines with their trailing spaces removed.
    /// </summary>
    private List<string> Render(string script, params string[] headers) => Render(script, 120, headers);

    private List<string> Render(string script, int width, params string[] headers)
    {
        var text = shell
            .Run($"$PSStyle.OutputRendering = 'PlainText'; {script} | Out-String -Width {width}", Vars)
            .ThrowOnError()
            .Output.Single()
            .ToString();
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r', ' ')).ToList();

        Assert.All(lines, l => Assert.True(l.Length <= width, $"wider than {width} columns: {l}"));
        Assert.Contains(lines, l => Regex.IsMatch(l, "^" + string.Join(@"\s+", headers) + "$"));
        Assert.DoesNotContain(lines, l =>
            l.Contains('…', StringComparison.Ordinal) && headers.Any(h => l.Contains(h, StringComparison.Ordinal))
        );
        return lines;
    }

    /// <summary>
    /// The incident history upgraded with real Alembic to its data-only revision (which ties with its parent), plus
    /// what views must show: a key with ON UPDATE, NOT VALID, and an index no revision made.
    /// </summary>
    public sealed class StagedIncident : IAsyncLifetime
    {
        private TestDatabase? _database;

        public TestDatabase Database => _database!;

        public AlembicTestProject Project { get; } = AlembicHistories.Incident(new AlembicTestProject());

        public string Folder { get; } = Directory.CreateTempSubdirectory("dbrecovery-views-").FullName;

        public async Task InitializeAsync()
        {
            _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
            Project.Upgrade(Database.Url, AlembicHistories.IncidentDataOnly);
            await Database.ExecuteAsync(
                """
                INSERT INTO organizations (id, name) VALUES ('7d3c1f0e-5a4b-4c2d-9e8f-0a1b2c3d4e5f', 'Acme'), ('0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', 'Globex');
                INSERT INTO users (id, organization_id, email) VALUES
                  ('11111111-2222-4333-8444-555555555555', '7d3c1f0e-5a4b-4c2d-9e8f-0a1b2c3d4e5f', 'ada@example.test'),
                  ('66666666-7777-4888-9999-aaaaaaaaaaaa', '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', 'grace@example.test');
                ALTER TABLE comments ADD CONSTRAINT comments_author_cascade_fkey FOREIGN KEY (author_id) REFERENCES users (id) ON UPDATE CASCADE NOT VALID;
                CREATE UNIQUE INDEX documents_name_key ON documents (name);
                CREATE SEQUENCE invoice_numbers AS bigint OWNED BY documents.name;
                CREATE TYPE deal_priority AS ENUM ('low', 'normal', 'high', 'urgent');
                CREATE VIEW deal_owners AS SELECT d.id, u.email FROM deals d JOIN users u ON u.id = d.owner_id;
                ALTER TABLE deals ADD CONSTRAINT deals_title_not_blank CHECK (title <> '');
                CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
                CREATE TRIGGER deals_touch BEFORE UPDATE ON deals FOR EACH ROW EXECUTE FUNCTION touch();
                ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
                CREATE POLICY documents_by_uploader ON documents FOR SELECT USING (uploaded_by = current_setting('app.user', true));
                """
            );
        }

        public async Task DisposeAsync()
        {
            await Database.DisposeAsync();
            Project.Dispose();
            Directory.Delete(Folder, recursive: true);
        }
    }
}
