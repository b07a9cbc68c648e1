using System.Net;
using System.Net.Sockets;
using DbRecovery.Engine.Secrets;

namespace DbRecovery.Engine.Tests.Secrets;

/// <summary>
/// Test-CredentialRevoked -Uri against local HTTP listeners on 127.0.0.1: what each answer means, and where the key
/// goes.
/// </summary>
public sealed class HttpCredentialCheckTests : IDisposable
{
    private const string Token = "old-key-Jx7Kc2Lm9Qp4Rs8Tv1Wz";

    private readonly Listener _api = new(
        (context, seen) =>
        {
            var path = context.Request.Url!.AbsolutePath;
            seen.Add(context.Request.Headers["Authorization"] ?? context.Request.Headers["X-API-Key"] ?? string.Empty);
            return path switch
            {
                "/revoked" => (401, null),
                "/forbidden" => (403, null),
                "/works" => (200, null),
                "/down" => (503, null),
                "/slow-down" => (429, null),
                "/moved" => (302, "/revoked"),
                _ => (404, null),
            };
        }
    );

    private readonly Listener _elsewhere = new(
        (context, seen) =>
        {
            seen.Add(context.Request.Headers["Authorization"] ?? string.Empty);
            return (200, null);
        }
    );

    public void Dispose()
    {
        _api.Dispose();
        _elsewhere.Dispose();
    }

    [Theory]
    [InlineData("/revoked", "Pass", "401")]
    [InlineData("/forbidden", "Pass", "403")]
    [InlineData("/works", "Fail", "200")]
    [InlineData("/down", "Inconclusive", "503")]
    [InlineData("/slow-down", "Inconclusive", "429")]
    [InlineData("/moved", "Pass", "401")]
    public async Task Each_answer_is_judged(string path, string status, string code)
    {
        var check = await HttpCredentialCheck.TestAsync(
            new Uri(_api.Prefix + path.TrimStart('/')),
            Token,
            "Bearer",
            null,
            TimeSpan.FromSeconds(10),
            CancellationToken.None
        );
        Assert.Equal(status, check.Status);
        Assert.Contains(code, check.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, check.ToString() + check.Reason + check.Target, StringComparison.Ordinal);
        Assert.All(_api.Seen, h => Assert.Equal("Bearer " + Token, h));
    }

    [Fact]
    public async Task A_closed_port_is_inconclusive()
    {
        var port = Listener.FreePort();
        var check = await HttpCredentialCheck.TestAsync(
            new Uri($"http://127.0.0.1:{port}/v1"),
            Token,
            "Bearer",
            null,
            TimeSpan.FromSeconds(5),
            CancellationToken.None
        );
        Assert.Equal("Inconclusive", check.Status);
        Assert.StartsWith("The endpoint could not be reached", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_another_server_is_not_followed_with_the_key()
    {
        using var redirecting = new Listener((_, _) => (307, null), location: _elsewhere.Prefix + "steal");
        var check = await HttpCredentialCheck.TestAsync(
            new Uri(redirecting.Prefix + "v1"),
            Token,
            "Bearer",
            null,
            TimeSpan.FromSeconds(5),
            CancellationToken.None
        );
        Assert.Equal("Inconclusive", check.Status);
        Assert.Contains("another server; it was not followed", check.Reason, StringComparison.Ordinal);
        Assert.Empty(_elsewhere.Seen);
    }

    [Fact]
    public async Task A_header_name_sends_the_bare_key()
    {
        var check = await HttpCredentialCheck.TestAsync(
            new Uri(_api.Prefix + "revoked"),
            Token,
            "Bearer",
            "X-API-Key",
            TimeSpan.FromSeconds(5),
            CancellationToken.None
        );
        Assert.Equal("Pass", check.Status);
        Assert.Equal([Token], _api.Seen);
    }

    /// <summary>
    /// An HTTP listener on a free port of 127.0.0.1 that answers with a status (and Location), recording a header of
    /// each request.
    /// </summary>
    private sealed class Listener : IDisposable
    {
        private readonly HttpListener _listener = new();

        public Listener(
            Func<HttpListenerContext, List<string>, (int Status, string? Location)> answer,
            string? location = null
        )
        {
            Prefix = $"http://127.0.0.1:{FreePort()}/";
            _listener.Prefixes.Add(Prefix);
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }

                    List<string> seen;
                    lock (Seen)
                    {
                        seen = Seen;
                    }

                    var (status, to) = answer(context, seen);
                    context.Response.StatusCode = status;
                    if ((to ?? location) is { } target)
                    {
                        context.Response.RedirectLocation = target;
                    }

                    context.Response.Close();
                }
            });
        }

        public string Prefix { get; }

        public List<string> Seen { get; } = [];

        public static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        public void Dispose() => _listener.Close();
    }
}
