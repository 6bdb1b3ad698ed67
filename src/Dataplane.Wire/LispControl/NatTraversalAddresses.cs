using System.Buffers.Binary;

namespace Dataplane.Wire.LispControl;

/// <summary>
/// The NAT-Traversal LCAF (AFI 16387, LCAF type 7, draft-ermagan-lisp-nat-traversal section 5.6) that ends an
/// Info-Reply: what the map-server saw of the ETR behind its NAT and where to relay data through.
/// <code>
/// |           AFI = 16387         |     Rsvd1     |     Flags     |
/// |   Type = 7    |     Rsvd2     |             Length            |
/// |       MS UDP Port Number      |      ETR UDP Port Number      |
/// |              AFI = x          |  Global ETR RLOC Address  ... |
/// |              AFI = x          |       MS RLOC Address  ...    |
/// |              AFI = x          | Private ETR RLOC Address  ... |
/// |              AFI = x          |      RTR RLOC Address 1 ...   |
/// |              AFI = x          |      RTR RLOC Address n ...   |
/// </code>
/// Length counts the bytes after the Length field. Each address is a plain AFI (0 when unknown: Open Overlay
/// Router's map-server sends the private ETR RLOC as AFI 0); the RTR list runs to the end of the LCAF.
/// </summary>
public sealed record NatTraversalAddresses(ushort MapServerPort, ushort EtrPort, LispAddress GlobalEtrRloc, LispAddress MapServerRloc,
    LispAddress PrivateEtrRloc, IReadOnlyList<LispAddress> RtrRlocs)
{
    public const byte LcafType = 7;

    /// <summary>AFI, Rsvd1, Flags, Type, Rsvd2, Length: 8 bytes; the two ports follow.</summary>
    private const int LcafHeaderLength = 8;

    /// <summary>RTRs an Info-Reply carries at most: plenty for a deployment, and a bound on what a reply makes us keep.</summary>
    public const int MaxRtrs = 32;

    public int Size => LcafHeaderLength + 4 + GlobalEtrRloc.Size + MapServerRloc.Size + PrivateEtrRloc.Size + RtrRlocs.Sum(r => r.Size);

    internal void Write(ref LispWriter writer)
    {
        if (RtrRlocs.Count > MaxRtrs)
        {
            throw new ArgumentException($"a NAT-Traversal LCAF carries at most {MaxRtrs} RTRs, this one has {RtrRlocs.Count}");
        }

        foreach (var address in RtrRlocs.Prepend(PrivateEtrRloc).Prepend(MapServerRloc).Prepend(GlobalEtrRloc))
        {
            if (address.InstanceId is not null)
            {
                throw new ArgumentException($"the NAT-Traversal LCAF carries plain RLOCs, not {address} in an instance");
            }
        }

        writer.UInt16((ushort)LispAfi.Lcaf);
        writer.Byte(0); // Rsvd1
        writer.Byte(0); // Flags
        writer.Byte(LcafType);
        writer.Byte(0); // Rsvd2
        writer.UInt16((ushort)(Size - LcafHeaderLength));
        writer.UInt16(MapServerPort);
        writer.UInt16(EtrPort);
        GlobalEtrRloc.Write(ref writer);
        MapServerRloc.Write(ref writer);
        PrivateEtrRloc.Write(ref writer);
        foreach (var rtr in RtrRlocs)
        {
            rtr.Write(ref writer);
        }
    }

    /// <summary>Whether the AFI at the reader is the start of a NAT-Traversal LCAF (AFI 16387, type 7).</summary>
    internal static bool IsNext(ReadOnlySpan<byte> rest) =>
        rest.Length >= 5 && BinaryPrimitives.ReadUInt16BigEndian(rest) == (ushort)LispAfi.Lcaf && rest[4] == LcafType;

    internal static bool TryRead(ref LispReader reader, out NatTraversalAddresses? addresses)
    {
        addresses = null;
        if (!reader.TryBytes("NAT-Traversal LCAF header", LcafHeaderLength, out var header))
        {
            return false;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(header) != (ushort)LispAfi.Lcaf || header[4] != LcafType)
        {
            return reader.Fail($"NAT-Traversal LCAF: AFI {BinaryPrimitives.ReadUInt16BigEndian(header)} type {header[4]} is not LCAF type 7");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(header[6..]);
        if (length > reader.Remaining)
        {
            return reader.Fail($"NAT-Traversal LCAF length {length} runs past the end ({reader.Remaining} left)");
        }

        int end = reader.Position + length;
        if (!reader.TryUInt16("NAT-Traversal LCAF MS UDP port", out ushort mapServerPort)
            || !reader.TryUInt16("NAT-Traversal LCAF ETR UDP port", out ushort etrPort)
            || !TryReadRloc(ref reader, end, "global ETR RLOC", out var global)
            || !TryReadRloc(ref reader, end, "MS RLOC", out var mapServer)
            || !TryReadRloc(ref reader, end, "private ETR RLOC", out var privateEtr))
        {
            return false;
        }

        var rtrs = new List<LispAddress>();
        while (reader.Position < end)
        {
            if (rtrs.Count == MaxRtrs)
            {
                return reader.Fail($"NAT-Traversal LCAF carries more than {MaxRtrs} RTR RLOCs");
            }

            if (!TryReadRloc(ref reader, end, $"RTR RLOC {rtrs.Count + 1}", out var rtr))
            {
                return false;
            }

            rtrs.Add(rtr);
        }

        addresses = new NatTraversalAddresses(mapServerPort, etrPort, global, mapServer, privateEtr, rtrs);
        return true;
    }

    /// <summary>One plain address that must end inside the LCAF (its Length bounds every field).</summary>
    private static bool TryReadRloc(ref LispReader reader, int end, string field, out LispAddress address)
    {
        address = LispAddress.None;
        if (reader.Position + 2 > end)
        {
            return reader.Fail($"NAT-Traversal LCAF {field} AFI runs past the LCAF's length");
        }

        if (!LispAddress.TryRead(ref reader, $"NAT-Traversal LCAF {field}", out address))
        {
            return false;
        }

        if (address.InstanceId is not null)
        {
            return reader.Fail($"NAT-Traversal LCAF {field} is in an Instance-ID LCAF; RLOCs are plain addresses");
        }

        return reader.Position <= end || reader.Fail($"NAT-Traversal LCAF {field} runs past the LCAF's length");
    }

    public bool Equals(NatTraversalAddresses? other) =>
        other is not null && MapServerPort == other.MapServerPort && EtrPort == other.EtrPort && GlobalEtrRloc == other.GlobalEtrRloc
        && MapServerRloc == other.MapServerRloc && PrivateEtrRloc == other.PrivateEtrRloc && ListEquality.Equal(RtrRlocs, other.RtrRlocs);

    public override int GetHashCode() =>
        HashCode.Combine(MapServerPort, EtrPort, GlobalEtrRloc, MapServerRloc, PrivateEtrRloc, ListEquality.Hash(RtrRlocs));
}
