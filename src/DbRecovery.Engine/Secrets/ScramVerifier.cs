using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DbRecovery.Engine.Secrets;

/// <summary>
/// Computes a PostgreSQL SCRAM-SHA-256 password verifier on the client (RFC 5802 and 7677, in the
/// <c>SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey</c> form <c>psql \password</c> sends), so the
/// plaintext password never reaches the server or its logs.
/// </summary>
public static class ScramVerifier
{
    /// <summary>PostgreSQL's default iteration count.</summary>
    public const int DefaultIterations = 4096;

    /// <summary>The verifier of <paramref name="password"/> with a fresh random salt.</summary>
    public static string Compute(string password, int iterations = DefaultIterations) =>
        Compute(password, RandomNumberGenerator.GetBytes(16), iterations);

    /// <summary>
    /// The verifier of <paramref name="password"/> with a given salt (for tests against known vectors).
    /// </summary>
    public static string Compute(string password, byte[] salt, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salted = Rfc2898DeriveBytes.Pbkdf2(
            Encoding.UTF8.GetBytes(password.Normalize(NormalizationForm.FormKC)),
            salt,
            iterations,
            HashAlgorithmName.SHA256,
            32
        );
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}"
                + $"${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}"
        );
    }
}
