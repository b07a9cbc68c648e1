using System.Security.Cryptography;
using System.Text;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Secrets;

/// <summary>
/// The key of the fingerprints findings carry: HMAC-SHA256 of the secret under a random key kept in the user's
/// DbRecovery folder (mode 0600, made on first use). A fingerprint shows that two findings are the same secret,
/// and that a finding is a secret already rotated, to whoever holds the key; without it, a fingerprint in a
/// ticket cannot be checked against a dictionary of passwords.
/// </summary>
public sealed class FingerprintKey
{
    /// <summary>The environment variable that names the key file instead of the default.</summary>
    public const string PathVariable = "DBRECOVERY_FINGERPRINT_KEY";

    private readonly byte[] _key;

    private FingerprintKey(byte[] key, string path)
    {
        _key = key;
        Path = path;
    }

    /// <summary>The key file.</summary>
    public string Path { get; }

    /// <summary>The default key file: $DBRECOVERY_FINGERPRINT_KEY, else ~/.dbrecovery/fingerprint.key.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path
            ? path
            : System.IO.Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                ".dbrecovery",
                "fingerprint.key"
            );

    /// <summary>
    /// Reads the key at <paramref name="path"/> (default <see cref="DefaultPath"/>), making it first when there is
    /// none.
    /// </summary>
    /// <exception cref="RecoveryException">The key file cannot be read or written, or is not a key
    /// (<c>FingerprintKeyUnavailable</c>).</exception>
    public static FingerprintKey LoadOrCreate(string? path = null)
    {
        path ??= DefaultPath;
        try
        {
            if (!File.Exists(path))
            {
                var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
                _ = OperatingSystem.IsWindows()
                    ? Directory.CreateDirectory(folder)
                    : Directory.CreateDirectory(
                        folder,
                        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    );
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                try
                {
                    using var stream = new FileStream(path, options);
                    stream.Write(Encoding.ASCII.GetBytes(Convert.ToHexString(RandomNumberGenerator.GetBytes(32))));
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Another process made it first; use theirs.
                }
            }

            var key = Convert.FromHexString(File.ReadAllText(path).Trim());
            return key.Length >= 16 ? new FingerprintKey(key, path) : throw new FormatException("the key is too short");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new RecoveryException(
                "FingerprintKeyUnavailable",
                FailureKind.InvalidOperation,
                $"The fingerprint key '{path}' cannot be used ({ex.Message}); fix or remove it (a new one is made), "
                    + $"or set ${PathVariable} to another file.",
                path,
                ex
            );
        }
    }

    /// <summary>The fingerprint of <paramref name="secret"/>: HMAC-SHA256 under this key, lower-case hex.</summary>
    public string Fingerprint(string secret) =>
        Convert.ToHexString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(secret))).ToLowerInvariant();
}
