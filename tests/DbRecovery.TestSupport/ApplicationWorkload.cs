using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace DbRecovery.TestSupport;

/// <summary>
/// An application that keeps working on organizations, users and deals while something else changes the schema:
/// several clients looping at a fixed rate, a third of them each INSERTing a user with two deals (one transaction),
/// UPDATEing a deal by id, or SELECTing a user with its deals by id (so a blocked writer never hides a blocked reader).
/// Values go as untyped parameters, as an ORM sends them, so the
/// same statements work before and after the key columns change type. Every request's latency and error is kept,
/// and every row it wrote can be checked afterwards.
/// </summary>
public sealed class ApplicationWorkload
{
    private readonly ConcurrentBag<(bool Write, TimeSpan Latency)> _requests = [];
    private readonly ConcurrentBag<string> _errors = [];
    private readonly ConcurrentDictionary<string, string> _users = new();
    private readonly ConcurrentDictionary<string, (string Owner, string Title)> _deals = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients = [];
    private readonly string _connectionString;
    private readonly string _organization;
    private readonly string[] _existingUsers;
    private readonly string[] _existingDeals;

    private ApplicationWorkload(string connectionString, string organization, string[] users, string[] deals)
    {
        _connectionString = connectionString;
        _organization = organization;
        _existingUsers = users;
        _existingDeals = deals;
    }

    /// <summary>
    /// Starts <paramref name="clients"/> clients, each sending one request every <paramref name="interval"/>.
    /// </summary>
    public static async Task<ApplicationWorkload> StartAsync(string connectionString, int clients, TimeSpan interval)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        var organization = (string)
            (
                await new NpgsqlCommand("SELECT id::text FROM organizations ORDER BY id LIMIT 1", connection)
                    .ExecuteScalarAsync()
                    .ConfigureAwait(false)
            )!;
        var users = await ListAsync(connection, "SELECT id::text FROM users ORDER BY id LIMIT 200")
            .ConfigureAwait(false);
        var deals = await ListAsync(connection, "SELECT id::text FROM deals ORDER BY id LIMIT 200")
            .ConfigureAwait(false);
        var workload = new ApplicationWorkload(connectionString, organization, users, deals);
        for (var i = 0; i < clients; i++)
        {
            var client = i;
            workload._clients.Add(Task.Run(() => workload.ClientAsync(client, interval)));
        }

        return workload;
    }

    /// <summary>Stops the clients and reports what they saw.</summary>
    public async Task<WorkloadReport> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_clients).ConfigureAwait(false);
        var latencies = _requests.Select(r => r.Latency).Order().ToList();
        TimeSpan Longest(bool write) =>
            _requests.Where(r => r.Write == write).Select(r => r.Latency).DefaultIfEmpty().Max();
        return new WorkloadReport(
            _requests.Count,
            _errors.ToList(),
            Longest(true),
            Longest(false),
            latencies.Count == 0
                ? TimeSpan.Zero
                : latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))],
            _users.Count
        );
    }

    /// <summary>
    /// What is missing or wrong of the rows the clients wrote: users, their deals, each deal's last title.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckRowsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        var wrong = new List<string>();
        var users = new Dictionary<string, string>();
        await using (
            var command = new NpgsqlCommand("SELECT id::text, email FROM users WHERE id::text = ANY(@ids)", connection)
            {
                Parameters = { new("ids", _users.Keys.ToArray()) },
            }
        )
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                users[reader.GetString(0)] = reader.GetString(1);
            }
        }

        wrong.AddRange(
            _users
                .Where(u => users.GetValueOrDefault(u.Key) != u.Value)
                .Select(u => $"user {u.Key} ({u.Value}): found '{users.GetValueOrDefault(u.Key) ?? "nothing"}'")
        );
        var deals = new Dictionary<string, (string, string)>();
        await using (
            var command = new NpgsqlCommand(
                "SELECT id::text, owner_id::text, title FROM deals WHERE id::text = ANY(@ids)",
                connection
            )
            {
                Parameters = { new("ids", _deals.Keys.ToArray()) },
            }
        )
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                deals[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2));
            }
        }

        wrong.AddRange(
            _deals
                .Where(d => !deals.TryGetValue(d.Key, out var found) || found != d.Value)
                .Select(d =>
                    $"deal {d.Key}: expected {d.Value}, found "
                    + $"{(deals.TryGetValue(d.Key, out var f) ? f.ToString() : "nothing")}"
                )
        );
        return wrong;
    }

    private static async Task<string[]> ListAsync(NpgsqlConnection connection, string sql)
    {
        var values = new List<string>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            values.Add(reader.GetString(0));
        }

        return [.. values];
    }

    private static NpgsqlParameter Untyped(string value) =>
        new() { Value = value, NpgsqlDbType = NpgsqlDbType.Unknown };

    private async Task ClientAsync(int client, TimeSpan interval)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        var random = new Random(client);
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var watch = Stopwatch.StartNew();
            var write = client % 3 != 2;
            try
            {
                switch (client % 3)
                {
                    case 0:
                        await InsertAsync(connection, client, n).ConfigureAwait(false);
                        break;
                    case 1:
                        await UpdateAsync(connection, random, client, n).ConfigureAwait(false);
                        break;
                    default:
                        await SelectAsync(connection, random).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                _errors.Add($"client {client} request {n}: {ex.Message}");
                if (connection.State != System.Data.ConnectionState.Open)
                {
                    await connection.CloseAsync().ConfigureAwait(false);
                    await connection.OpenAsync().ConfigureAwait(false);
                }
            }

            _requests.Add((write, watch.Elapsed));
            var pause = interval - watch.Elapsed;
            if (pause > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(pause, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task InsertAsync(NpgsqlConnection connection, int client, int n)
    {
        var email = string.Create(CultureInfo.InvariantCulture, $"workload-{client}-{n}@example.test");
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var user = new NpgsqlCommand(
            "INSERT INTO users (organization_id, email) VALUES ($1, $2) RETURNING id::text",
            connection,
            transaction
        )
        {
            Parameters = { Untyped(_organization), Untyped(email) },
        };
        var id = (string)(await user.ExecuteScalarAsync().ConfigureAwait(false))!;
        var deals = new List<(string Id, string Title)>();
        for (var d = 0; d < 2; d++)
        {
            var title = $"{email} deal {d}";
            await using var deal = new NpgsqlCommand(
                "INSERT INTO deals (organization_id, created_by, owner_id, title) VALUES ($1, $2, $2, $3) RETURNING "
                    + "id::text",
                connection,
                transaction
            )
            {
                Parameters = { Untyped(_organization), Untyped(id), Untyped(title) },
            };
            deals.Add(((string)(await deal.ExecuteScalarAsync().ConfigureAwait(false))!, title));
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        _users[id] = email;
        foreach (var (dealId, title) in deals)
        {
            _deals[dealId] = (id, title);
        }
    }

    private async Task UpdateAsync(NpgsqlConnection connection, Random random, int client, int n)
    {
        // Only deals this workload inserted are checked afterwards; the others are updated for the load.
        var mine = _deals.Keys.Where(k => k.GetHashCode(StringComparison.Ordinal) % 8 == client % 8).Take(50).ToList();
        var id =
            mine.Count > 0 && random.Next(2) == 0
                ? mine[random.Next(mine.Count)]
                : _existingDeals[random.Next(_existingDeals.Length)];
        var title = string.Create(CultureInfo.InvariantCulture, $"updated by {client} at {n}");
        await using var update = new NpgsqlCommand(
            "UPDATE deals SET title = $2 WHERE id = $1 RETURNING owner_id::text",
            connection
        )
        {
            Parameters = { Untyped(id), Untyped(title) },
        };
        var owner = await update.ExecuteScalarAsync().ConfigureAwait(false) as string;
        if (_deals.ContainsKey(id))
        {
            _deals[id] = (owner!, title);
        }
    }

    private async Task SelectAsync(NpgsqlConnection connection, Random random)
    {
        var known = _users.Keys.Take(100).ToList();
        var id =
            known.Count > 0 && random.Next(2) == 0
                ? known[random.Next(known.Count)]
                : _existingUsers[random.Next(_existingUsers.Length)];
        await using var select = new NpgsqlCommand(
            "SELECT u.email, d.title FROM users u LEFT JOIN deals d ON d.owner_id = u.id WHERE u.id = $1",
            connection
        )
        {
            Parameters = { Untyped(id) },
        };
        await using var reader = await select.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false)) { }
    }
}

/// <summary>What the clients of an <see cref="ApplicationWorkload"/> saw.</summary>
/// <param name="Requests">Requests sent.</param>
/// <param name="Errors">Every error, with its client and request.</param>
/// <param name="LongestWrite">The longest any INSERT or UPDATE took.</param>
/// <param name="LongestRead">The longest any SELECT took.</param>
/// <param name="P99">The 99th percentile latency of all requests.</param>
/// <param name="UsersInserted">Users inserted (each with two deals).</param>
public sealed record WorkloadReport(
    int Requests,
    IReadOnlyList<string> Errors,
    TimeSpan LongestWrite,
    TimeSpan LongestRead,
    TimeSpan P99,
    int UsersInserted
);
