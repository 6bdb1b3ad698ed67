using System.Security.Cryptography;
using System.Text;

namespace Dataplane.Control.Rest;

/// <summary>
/// Checks <c>Authorization: Bearer TOKEN</c> (RFC 6750 section 2.1) in constant time: both sides are hashed first so
/// neither the content nor the length of the token leaks through the time a refusal takes.
/// </summary>
public sealed class BearerToken
{
    private readonly byte[] expectedHash;

    public BearerToken(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>True when <paramref name="authorization"/> (the header's value, null when absent) carries the token.</summary>
    public bool Accepts(string? authorization)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] givenHash = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(givenHash, expectedHash);
    }
}
