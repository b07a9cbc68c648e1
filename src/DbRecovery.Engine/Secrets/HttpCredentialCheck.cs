using System.Net;
using System.Net.Http.Headers;

namespace DbRecovery.Engine.Secrets;

/// <summary>
/// Proves an HTTP API key is dead by using it once: Pass on 401 or 403, Fail on 2xx (it still works),
/// Inconclusive on anything else (network errors, timeouts, 429, 5xx, other statuses), with the status and
/// reason. A redirect is followed only to the same scheme, host and port, so the token never reaches
/// another server; the token never appears in the result.
/// </summary>
public static class HttpCredentialCheck
{
    private const int MaxRedirects = 5;

    /// <summary>Sends <c>GET <paramref name="uri"/></c> with the token and judges the answer.</summary>
    /// <param name="uri">An endpoint that needs the key.</param>
    /// <param name="token">The old key.</param>
    /// <param name="scheme">The Authorization scheme (Bearer by default), used unless <paramref name="headerName"/> is
    /// given.</param>
    /// <param name="headerName">A header to send the bare token in instead (e.g. X-API-Key).</param>
    /// <param name="timeout">How long to wait for the answer.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public static async Task<CredentialCheck> TestAsync(
        Uri uri,
        string token,
        string scheme,
        string? headerName,
        TimeSpan timeout,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(token);
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var client = new HttpClient(handler) { Timeout = timeout };
        var target = uri.GetLeftPart(UriPartial.Path);
        var current = uri;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            if (headerName is null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(headerName, token);
            }

            HttpResponseMessage response;
            try
            {
                response = await client
                    .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Result(target, "Inconclusive", $"No answer within {timeout.TotalSeconds:0.#} s.");
            }
            catch (HttpRequestException ex)
            {
                return Result(target, "Inconclusive", $"The endpoint could not be reached: {ex.Message}");
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                var said = $"{status} {response.ReasonPhrase}".Trim();
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                    if (
                        Uri.Compare(
                            next,
                            current,
                            UriComponents.SchemeAndServer,
                            UriFormat.Unescaped,
                            StringComparison.OrdinalIgnoreCase
                        ) != 0
                    )
                    {
                        return Result(
                            target,
                            "Inconclusive",
                            $"The endpoint answered {said}, a redirect to {next.GetLeftPart(UriPartial.Authority)}, "
                                + "another server; it was not followed, so the key was not sent there."
                        );
                    }

                    current = next;
                    continue;
                }

                return status switch
                {
                    401 or 403 => Result(target, "Pass", $"The endpoint refused the key ({said})."),
                    >= 200 and < 300 => Result(
                        target,
                        "Fail",
                        $"The endpoint accepted the key ({said}); it still works and must be revoked."
                    ),
                    429 => Result(target, "Inconclusive", $"The endpoint is rate-limiting ({said}); try again later."),
                    >= 500 => Result(
                        target,
                        "Inconclusive",
                        $"The endpoint failed ({said}); the key could not be judged."
                    ),
                    _ => Result(
                        target,
                        "Inconclusive",
                        $"The endpoint answered {said}, which says neither yes nor no to the key."
                    ),
                };
            }
        }

        return Result(target, "Inconclusive", $"More than {MaxRedirects} redirects.");
    }

    private static CredentialCheck Result(string target, string status, string reason) =>
        new()
        {
            Target = target,
            Status = status,
            Reason = reason,
        };
}
