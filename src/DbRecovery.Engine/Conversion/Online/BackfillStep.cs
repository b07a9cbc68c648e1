using System.Globalization;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// Copies a table's converted columns into their shadows in batches of page ranges, each its own transaction
/// (<see cref="OnlineBackfill"/>), resuming where a run stopped. It is shown as the DO loop that runs the same
/// batch statement over the same ranges.
/// </summary>
internal sealed record BackfillStep : ProceduralStep
{
    /// <summary>The table whose shadows are filled.</summary>
    public required OnlineTable Table { get; init; }

    /// <summary>How big its batches are, how many sessions work at once, and how fast they may go.</summary>
    public required OnlineThrottle Throttle { get; init; }

    /// <summary>The quoted columns the batch also sets to themselves (see <see cref="Batch"/>).</summary>
    private List<string> SelfAssigned =>
        Table.Columns.Where(c => c.SelfAssigned).Select(c => SqlIdentifier.Quote(c.Name)).ToList();

    /// <summary>
    /// One batch: the rows in the page range from <c>$1</c> to before <c>$2</c> (tids) get their shadows set; when
    /// <c>$3</c> is above 0, only those at a line pointer beyond it.
    /// </summary>
    /// <remarks>
    /// A column an index the swap drops is on is also set to itself. An UPDATE that leaves an index's columns out of
    /// its SET list tells PostgreSQL (14 and later) the entry is unchanged, and a full leaf page then gets a bottom-up
    /// deletion pass that visits the heap page of every duplicate; once earlier batches have committed it finds their
    /// dead versions there, so it runs on and on, on an index nobody will use again. Measured on 5M rows with one
    /// uuid index, single session: 53 s without, 23 s with.
    /// </remarks>
    public string Batch =>
        $"UPDATE {Table.Quoted} SET "
        + string.Join(
            ", ",
            Table
                .Columns.Select(c => $"{SqlIdentifier.Quote(c.Shadow)} = {c.Cast()}")
                .Concat(SelfAssigned.Select(c => $"{c} = {c}"))
        )
        + " WHERE ctid >= $1 AND ctid < $2 AND ($3 = 0 OR (ctid::text::point)[1] > $3)";

    /// <summary>
    /// The line pointer beyond which the first pass takes a page's rows (0: all of them, in one pass).
    /// </summary>
    /// <remarks>
    /// The backfill goes over each page range twice. A full page has no room for a row's new version, so the first
    /// pass moves the rows beyond the cut to other pages, each with a new entry in every index; once PostgreSQL
    /// prunes the page, the room they leave takes the new versions of the rows up to the cut, which the second pass
    /// then updates in place (HOT: no index entry, no new page). With B usable bytes a page, r rows a page of t = B / r
    /// bytes each (its 4-byte line pointer included, which a moved row leaves behind) and g bytes the shadows add to a
    /// row, the k rows kept fit when k (t + g) = (r - k) (t - 4), so k = r (B - 4 r) / (2 B - 4 r + g r). Measured on
    /// 5M rows whose five integer keys were widened to bigint, one session: 16.8 s in one pass, 14.8 s in two, and the
    /// table 22% smaller afterwards.
    /// </remarks>
    public int Cut(double rowsPerPage, int blockSize)
    {
        var (b, r) = (Usable(blockSize), rowsPerPage);
        return (int)Math.Max(0, Math.Floor(r * (b - (4 * r)) / ((2 * b) - (4 * r) + (Table.ShadowBytes * r))));
    }

    /// <summary>How many pages a batch of the pass covers: about a batch's rows, never less than one page.</summary>
    public long BatchPages(double rowsPerPage, int cut, bool moving)
    {
        var rows =
            cut <= 0 ? rowsPerPage
            : moving ? rowsPerPage - cut
            : cut;
        return Math.Max(1, (long)(Throttle.BatchSize / Math.Max(1.0, rows)));
    }

    private static double Usable(int blockSize) => blockSize - 24;

    /// <inheritdoc />
    public override string Display
    {
        get
        {
            var relation = ConversionSql.Literal(Table.Quoted) + "::regclass";
            var why =
                SelfAssigned.Count == 0
                    ? string.Empty
                    : $"-- also set to themselves: {string.Join(", ", SelfAssigned)} (otherwise PostgreSQL runs "
                        + "bottom-up deletion\n-- on their indexes, which the swap drops)\n";
            return why
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"""
                    -- one transaction a batch, in two passes: first the rows beyond line pointer "cut" of each page
                    -- (their new versions go to other pages), then the rest, updated in place in the room they left
                    DO $dbrecovery$
                    DECLARE
                        end_page bigint := pg_relation_size({relation}) / current_setting('block_size')::bigint;
                        rows_per_page float8 := (SELECT CASE WHEN relpages > 0 AND reltuples > 0
                            THEN reltuples / relpages ELSE 100 END FROM pg_class WHERE oid = {relation});
                        usable float8 := current_setting('block_size')::int - 24;
                        cut int := GREATEST(0, floor(rows_per_page * (usable - 4 * rows_per_page)
                            / (2 * usable - 4 * rows_per_page + {Table.ShadowBytes} * rows_per_page)));
                        pass_cut int;
                        batch_pages bigint;
                        next_page bigint;
                    BEGIN
                        FOREACH pass_cut IN ARRAY ARRAY[cut, 0] LOOP
                            batch_pages := GREATEST(1, floor({Throttle.BatchSize} / GREATEST(1, CASE WHEN cut <= 0
                                THEN rows_per_page WHEN pass_cut > 0 THEN rows_per_page - cut ELSE cut END))::bigint);
                            next_page := 0;
                            WHILE next_page < end_page LOOP
                                EXECUTE {ConversionSql.Literal(Batch)}
                                    USING format('(%s,0)', next_page)::tid, format('(%s,0)', next_page + batch_pages)::tid,
                                        pass_cut;
                                COMMIT;
                                next_page := next_page + batch_pages;
                            END LOOP;
                        END LOOP;
                    END
                    $dbrecovery$
                    """
                );
        }
    }

    /// <summary>The backfill of <paramref name="table"/>.</summary>
    public static BackfillStep Of(OnlineTable table, OnlineThrottle throttle) =>
        new()
        {
            Kind = StepKind.Backfill,
            Targets = [table.Name],
            Table = table,
            Throttle = throttle,
            Action =
                $"Copy {string.Join(", ", table.Columns.Select(c => c.Name))} of {table.Name} "
                + $"({RowEstimate.Describe(table.EstimatedRows)}) into the shadows, "
                + string.Create(CultureInfo.InvariantCulture, $"about {throttle.BatchSize} rows a transaction ")
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"in {throttle.Jobs} session(s), resuming where a run stopped"
                ),
        };

    /// <inheritdoc />
    public override async Task RunAsync(
        DatabaseSession session,
        IRecoveryLog log,
        CancellationToken cancellationToken
    ) => await new OnlineBackfill(this, log).RunAsync(session, cancellationToken).ConfigureAwait(false);
}
