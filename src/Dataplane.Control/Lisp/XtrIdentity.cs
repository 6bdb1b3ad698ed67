using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dataplane.Forwarding.Configuration;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The xTR-ID and site-ID this xTR puts in its Map-Registers (RFC 9301 5.6, the I bit): a map-server merges the
/// registrations of one EID prefix per xTR-ID, so every xTR needs its own, and the same one after a restart (a new
/// one would look like another xTR joining the site while the old part lingers until it expires).
/// </summary>
public readonly record struct XtrIdentity(UInt128 XtrId, ulong SiteId)
{
    /// <summary>
    /// <c>lisp.xtrId</c> when configured; otherwise the first 128 bits of SHA-256 over the configured local RLOCs
    /// (sorted, so their order does not matter): stable across restarts, and distinct between xTRs since no two share
    /// an RLOC. Derived from the configuration, not from run-time changes, so it does not move when a locator does.
    /// </summary>
    public static XtrIdentity From(LispConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var xtrId = config.XtrId is { } configured ? ConfigValues.XtrId(configured, "lisp.xtrId") : Derive(config);
        return new XtrIdentity(xtrId, config.SiteId);
    }

    private static UInt128 Derive(LispConfig config)
    {
        var rlocs = config.LocalRlocs.Select((r, i) => ConfigValues.Ip(r.Address, $"lisp.localRlocs[{i}].address").ToString())
            .Order(StringComparer.Ordinal);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes("lisp-xtr-id\n" + string.Join('\n', rlocs)));
        var id = BinaryPrimitives.ReadUInt128BigEndian(digest);
        return id != UInt128.Zero ? id : UInt128.One;
    }

    public override string ToString() => $"{XtrId:x32}/{SiteId}";
}
