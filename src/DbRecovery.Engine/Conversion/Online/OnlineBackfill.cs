using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Plans;
using Npgsql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// Copies a table's converted columns into their shadows: its pages, as they were when the backfill first started
/// (rows added later come through the trigger), are split into chunks recorded in the state table, and
/// <see cref="OnlineThrottle.Jobs"/> sessions work through them in batches of page ranges, each batch one
/// transaction that also records how far its chunk got. The pages are gone over twice, every chunk's first pass (the
/// rows beyond <see cref="BackfillStep.Cut"/>; see there) before any second. A rerun continues every chunk where it
/// stopped.
/// </summary>
internal sealed class OnlineBackfill(BackfillStep step, IRecoveryLog log)
{
    private readonly OnlineTable _table = step.Table;
    private readonly OnlineThrottle _throttle = step.Throttle;
    private long _rows;

    /// <summary>A chunk's pages from <paramref name="First"/> to before <paramref name="End"/>, done up to
    /// <paramref name="Next"/> in its first pass (<paramref name="Moving"/>) or its second.</summary>
    private sealed record Chunk(int Number, long First, long Next, long End, bool Moving)
    {
        /// <summary>About how many rows are still to update.</summary>
        public double RowsLeft(double rowsPerPage, int cut) =>
            cut <= 0 ? rowsPerPage * (End - Next)
            : Moving ? ((rowsPerPage - cut) * (End - Next)) + (cut * (End - First))
            : cut * (End - Next);
    }

    /// <summary>The table's rows a page when the backfill started, and the first pass's cut for them.</summary>
    private sealed record PageLayout(double RowsPerPage, int Cut);

    /// <summary>Runs the backfill to its end; returns how long it took.</summary>
    public async Task<TimeSpan> RunAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var (chunks, layout, alreadyDone) = await PrepareAsync(session, cancellationToken).ConfigureAwait(false);
        var run = new RunContext(
            layout,
            (long)chunks.Sum(c => c.RowsLeft(layout.RowsPerPage, layout.Cut)),
            alreadyDone,
            watch
        );

        // Every chunk's first pass before any second pass: PostgreSQL prunes a page, so that its room takes the new
        // versions in place, only once no transaction older than the first pass's is running, such as the other
        // sessions' batches.
        await RoundAsync(session, chunks.Where(c => c.Moving).ToList(), run, cancellationToken).ConfigureAwait(false);
        await RoundAsync(
                session,
                chunks.Select(c => c.Moving ? c with { Next = c.First, Moving = false } : c).ToList(),
                run,
                cancellationToken
            )
            .ConfigureAwait(false);
        log.Verbose(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{_table.Name}: backfilled {_rows} rows in {chunks.Count} chunk(s) with {_throttle.Jobs} session(s)"
            )
        );
        return watch.Elapsed;
    }

    /// <summary>What every batch of this run shares: the layout, and what its progress reports count from.</summary>
    private sealed record RunContext(PageLayout Layout, long RowsLeft, long AlreadyDone, Stopwatch Watch);

    /// <summary><see cref="OnlineThrottle.Jobs"/> sessions working through <paramref name="round"/>'s chunks.</summary>
    private async Task RoundAsync(
        DatabaseSession session,
        IReadOnlyList<Chunk> round,
        RunContext run,
        CancellationToken cancellationToken
    )
    {
        var pending = new ConcurrentQueue<Chunk>(round.Where(c => c.Next < c.End));
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        async Task WorkAsync()
        {
            await using var own = await DatabaseSession
                .OpenAsync(session.Target, log, failed.Token)
                .ConfigureAwait(false);
            try
            {
                // Each batch records its progress in its own transaction, so a commit lost in a crash loses that
                // batch's progress with it and the rerun repeats it: durability of each commit buys nothing here.
                await using (var setting = own.CreateCommand("SET synchronous_commit = off"))
                {
                    await setting.ExecuteNonQueryAsync(failed.Token).ConfigureAwait(false);
                }

                while (pending.TryDequeue(out var chunk))
                {
                    await ChunkAsync(own, chunk, run, failed.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                await failed.CancelAsync().ConfigureAwait(false);
                if (DatabaseSession.IsConnectionFailure(ex))
                {
                    throw own.Failure(ex);
                }

                throw;
            }
        }

        var workers = Enumerable
            .Range(0, Math.Min(_throttle.Jobs, pending.Count))
            .Select(_ => Task.Run(WorkAsync, CancellationToken.None))
            .ToList();
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch when (!cancellationToken.IsCancellationRequested)
        {
            // The first worker to fail stopped the others; report its error, not their cancellation.
            var cause = workers
                .Select(w => w.Exception?.InnerException)
                .FirstOrDefault(e => e is not null and not OperationCanceledException);
            if (cause is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }
    }

    /// <summary>
    /// The chunks left to do; a first run splits the table's pages now into chunks, in the same transaction that
    /// records them.
    /// </summary>
    private async Task<(List<Chunk> Chunks, PageLayout Layout, long RowsDone)> PrepareAsync(
        DatabaseSession session,
        CancellationToken cancellationToken
    )
    {
        await using var transaction = await session
            .Connection.BeginTransactionAsync(cancellationToken)
            .ConfigureAwait(false);
        await using (
            var split = session.CreateCommand(
                $"""
                WITH size AS (SELECT pg_relation_size(@oid::oid) / current_setting('block_size')::bigint AS pages),
                     first AS (UPDATE {OnlineNames.BackfillTable} b SET end_page = LEAST(size.pages, @chunkPages),
                                   moving = true
                               FROM size WHERE b.table_schema = @schema AND b.table_name = @table AND b.chunk = 0 AND
                                   b.end_page IS NULL
                               RETURNING size.pages)
                INSERT INTO {OnlineNames.BackfillTable} (table_schema, table_name, chunk, first_page, next_page,
                    end_page, moving)
                SELECT @schema, @table, n, n * @chunkPages, n * @chunkPages, LEAST(first.pages, (n + 1) * @chunkPages),
                    true
                FROM first, generate_series(1, (first.pages - 1) / @chunkPages) n
                """
            )
        )
        {
            split.Parameters.Add(new NpgsqlParameter("oid", NpgsqlTypes.NpgsqlDbType.Oid) { Value = _table.Oid });
            split.Parameters.AddWithValue("schema", _table.Schema);
            split.Parameters.AddWithValue("table", _table.Table);
            split.Parameters.AddWithValue(
                "chunkPages",
                await ChunkPagesAsync(session, cancellationToken).ConfigureAwait(false)
            );
            await split.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (
            var empty = session.CreateCommand(
                $"UPDATE {OnlineNames.BackfillTable} SET done_at = now() WHERE table_schema = @schema AND table_name "
                    + "= @table AND done_at IS NULL AND next_page >= end_page AND (NOT moving OR first_page >= "
                    + "end_page)"
            )
        )
        {
            empty.Parameters.AddWithValue("schema", _table.Schema);
            empty.Parameters.AddWithValue("table", _table.Table);
            await empty.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var chunks = new List<Chunk>();
        long done = 0;
        var layout = new PageLayout(100, 0);
        await using (
            var read = session.CreateCommand(
                $"""
                SELECT b.chunk, b.first_page, b.next_page, b.end_page, b.moving, b.rows_done, b.done_at IS NOT NULL,
                       CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages ELSE 100 END,
                       current_setting('block_size')::int
                FROM {OnlineNames.BackfillTable} b JOIN pg_class c ON c.oid = @oid::oid
                WHERE b.table_schema = @schema AND b.table_name = @table ORDER BY b.chunk
                """
            )
        )
        {
            read.Parameters.Add(new NpgsqlParameter("oid", NpgsqlTypes.NpgsqlDbType.Oid) { Value = _table.Oid });
            read.Parameters.AddWithValue("schema", _table.Schema);
            read.Parameters.AddWithValue("table", _table.Table);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                done += reader.GetInt64(5);
                var rowsPerPage = reader.GetDouble(7);
                layout = new PageLayout(rowsPerPage, step.Cut(rowsPerPage, reader.GetInt32(8)));
                if (!reader.GetBoolean(6))
                {
                    chunks.Add(
                        new Chunk(
                            reader.GetInt32(0),
                            reader.GetInt64(1),
                            reader.GetInt64(2),
                            reader.GetInt64(3),
                            reader.GetBoolean(4)
                        )
                    );
                }
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (chunks, layout, done);
    }

    /// <summary>About four chunks a session, so the sessions finish together; never smaller than a batch.</summary>
    private async Task<long> ChunkPagesAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand(
            "SELECT pg_relation_size(@oid::oid) / current_setting('block_size')::bigint, GREATEST(c.reltuples, 0) / "
                + "GREATEST(c.relpages, 1) FROM pg_class c WHERE c.oid = @oid::oid"
        );
        command.Parameters.Add(new NpgsqlParameter("oid", NpgsqlTypes.NpgsqlDbType.Oid) { Value = _table.Oid });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (pages, rowsPerPage) = (reader.GetInt64(0), Math.Max(1.0, reader.GetDouble(1)));
        var jobs = _throttle.Jobs;
        return Math.Max(step.BatchPages(rowsPerPage, 0, true), (pages + (jobs * 4) - 1) / (jobs * 4));
    }

    /// <summary>One pass over a chunk, from where it stands: its first (recording the second's start when it ends),
    /// or its second.</summary>
    private async Task ChunkAsync(
        DatabaseSession session,
        Chunk chunk,
        RunContext run,
        CancellationToken cancellationToken
    )
    {
        var layout = run.Layout;
        var (next, moving, rows) = (chunk.Next, chunk.Moving, 0L);
        while (next < chunk.End && moving == chunk.Moving)
        {
            await WaitForReplicasAsync(session, cancellationToken).ConfigureAwait(false);
            var upto = Math.Min(next + step.BatchPages(layout.RowsPerPage, layout.Cut, moving), chunk.End);
            var (then, stillMoving) = moving && upto >= chunk.End ? (chunk.First, false) : (upto, moving);
            await using (
                var transaction = await session
                    .Connection.BeginTransactionAsync(cancellationToken)
                    .ConfigureAwait(false)
            )
            {
                await using var batch = session.CreateCommand(step.Batch, string.Empty);
                batch.Parameters.Add(
                    new NpgsqlParameter { Value = Tid(next), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Tid }
                );
                batch.Parameters.Add(
                    new NpgsqlParameter { Value = Tid(upto), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Tid }
                );
                batch.Parameters.Add(new NpgsqlParameter { Value = moving ? layout.Cut : 0 });
                var updated = await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await using var record = session.CreateCommand(
                    $"UPDATE {OnlineNames.BackfillTable} SET next_page = @next, moving = @moving, rows_done = "
                        + "rows_done + @rows, done_at = CASE WHEN NOT @moving AND @next >= end_page THEN now() END "
                        + "WHERE table_schema = @schema AND table_name = @table AND chunk = @chunk",
                    string.Empty
                );
                record.Parameters.AddWithValue("next", then);
                record.Parameters.AddWithValue("moving", stillMoving);
                record.Parameters.AddWithValue("rows", (long)updated);
                record.Parameters.AddWithValue("schema", _table.Schema);
                record.Parameters.AddWithValue("table", _table.Table);
                record.Parameters.AddWithValue("chunk", chunk.Number);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                rows += updated;
                Interlocked.Add(ref _rows, updated);
            }

            Report(run);
            (next, moving) = (then, stillMoving);
            if (_throttle.BatchDelay > TimeSpan.Zero)
            {
                await Task.Delay(_throttle.BatchDelay, cancellationToken).ConfigureAwait(false);
            }
        }

        log.Verbose(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{_table.Name} chunk {chunk.Number}: backfilled {rows} rows over pages {chunk.Next} to {chunk.End}"
            )
        );
    }

    private void Report(RunContext run)
    {
        var (rows, alreadyDone) = (Interlocked.Read(ref _rows), run.AlreadyDone);
        var rate = rows / Math.Max(0.001, run.Watch.Elapsed.TotalSeconds);
        var left = Math.Max(0, run.RowsLeft - rows);
        var total = alreadyDone + rows + left;
        log.Progress(
            new ProgressReport(
                $"Backfilling {_table.Name}",
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{alreadyDone + rows:N0} of about {total:N0} rows, {rate:N0} rows/s"
                ),
                (int)((alreadyDone + rows) * 1000 / Math.Max(1, total)),
                1000
            )
            {
                SecondsRemaining = rate > 0 ? (int)Math.Min(int.MaxValue, left / rate) : null,
            }
        );
    }

    /// <summary>
    /// Pauses while any streaming replica replays more than MaxLagSeconds behind, so the backfill cannot outrun them.
    /// </summary>
    private async Task WaitForReplicasAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var command = session.CreateCommand(
                "SELECT COALESCE(EXTRACT(epoch FROM max(replay_lag)), 0)::float8 FROM pg_stat_replication",
                string.Empty
            );
            var lag = (double)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (lag <= _throttle.MaxLagSeconds)
            {
                return;
            }

            log.Verbose(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"A replica is {lag:F1} s behind (more than {_throttle.MaxLagSeconds:F1} s); the backfill waits"
                )
            );
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    private static NpgsqlTypes.NpgsqlTid Tid(long page) => new(checked((uint)page), 0);
}
