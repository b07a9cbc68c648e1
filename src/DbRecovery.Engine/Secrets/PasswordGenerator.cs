using System.Security.Cryptography;

namespace DbRecovery.Engine.Secrets;

/// <summary>Generates URL-safe passwords from a cryptographically secure random source.</summary>
public static class PasswordGenerator
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>
    /// A password of <paramref name="length"/> characters from A–Z, a–z, 0–9, '-' and '_' (6 bits each).
    /// </summary>
    public static string Generate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 16);
        return RandomNumberGenerator.GetString(Alphabet, length);
    }
}
