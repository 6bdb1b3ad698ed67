using System.Buffers.Binary;
using Dataplane.Wire.Addresses;

namespace Dataplane.Wire.LispControl;

/// <summary>
/// An address as LISP control messages carry it: AFI 1 (IPv4), AFI 2 (IPv6) or AFI 0 (no address, e.g. an empty
/// Source-EID), optionally wrapped in an Instance-ID LCAF (AFI 16387, LCAF type 2, RFC 8060 section 4.1):
/// <code>
/// |           AFI = 16387         |     Rsvd1     |     Flags     |
/// |   Type = 2    | IID mask-len  |             Length            |
/// |                         Instance ID                           |
/// |              AFI = x          |         Address  ...          |
/// </code>
/// <see cref="Afi"/> is always the family of the address itself (never <see cref="LispAfi.Lcaf"/>); a non-null
/// <see cref="InstanceId"/> is what makes it travel inside the LCAF. The IID mask-len is written 32, all of the
/// Instance ID: one instance (RFC 8060 4.1 uses a shorter mask-len for a range of instances). Open Overlay Router
/// writes 32 and compares it as part of the EID, so its map-server takes an EID written with 0 for another prefix.
/// On receive the mask-len is not read: we hold single instances only.
/// </summary>
public readonly record struct LispAddress(LispAfi Afi, UInt128 Value, uint? InstanceId)
{
    public const byte InstanceIdLcafType = 2;

    /// <summary>AFI 16387, rsvd1, flags, type, IID mask-len, length, Instance ID: 12 bytes before the inner AFI.</summary>
    public const int InstanceIdLcafHeaderLength = 12;

    public static readonly LispAddress None = new(LispAfi.None, UInt128.Zero, null);

    public static LispAddress Ipv4(Ipv4Address address, uint? instanceId = null) => new(LispAfi.Ipv4, address.Value, instanceId);

    public static LispAddress Ipv6(Ipv6Address address, uint? instanceId = null) => new(LispAfi.Ipv6, address.Value, instanceId);

    public bool IsIpv4 => Afi == LispAfi.Ipv4;

    public bool IsIpv6 => Afi == LispAfi.Ipv6;

    public bool IsNone => Afi == LispAfi.None;

    public Ipv4Address AsIpv4() => new((uint)Value);

    public Ipv6Address AsIpv6() => new(Value);

    /// <summary>The same address in another instance (null: outside any LCAF).</summary>
    public LispAddress WithInstanceId(uint? instanceId) => this with { InstanceId = instanceId };

    /// <summary>Bytes of the address alone, after its AFI.</summary>
    public int AddressLength => AddressLengthOf(Afi);

    /// <summary>Bytes on the wire, AFI (and LCAF header) included.</summary>
    public int Size => (InstanceId is null ? 2 : InstanceIdLcafHeaderLength + 2) + AddressLength;

    public int Write(Span<byte> destination)
    {
        LispWriter.EnsureRoom(destination, Size, "LISP address");
        var writer = new LispWriter(destination);
        Write(ref writer);
        return writer.Position;
    }

    internal void Write(ref LispWriter writer)
    {
        if (Afi is not (LispAfi.None or LispAfi.Ipv4 or LispAfi.Ipv6))
        {
            throw new ArgumentException($"a LispAddress holds AFI 0, 1 or 2 (the LCAF is InstanceId), not {(ushort)Afi}");
        }

        if (InstanceId is uint instanceId)
        {
            writer.UInt16((ushort)LispAfi.Lcaf);
            writer.Byte(0); // Rsvd1
            writer.Byte(0); // Flags
            writer.Byte(InstanceIdLcafType);
            writer.Byte(32); // IID mask-len: the whole Instance ID, one instance
            writer.UInt16((ushort)(4 + 2 + AddressLength)); // Length: the bytes after this field
            writer.UInt32(instanceId);
        }

        writer.UInt16((ushort)Afi);
        if (Afi == LispAfi.Ipv4)
        {
            writer.UInt32((uint)Value);
        }
        else if (Afi == LispAfi.Ipv6)
        {
            writer.UInt128(Value);
        }
    }

    public static bool TryParse(ReadOnlySpan<byte> source, out LispAddress address, out int bytesRead, out string error)
    {
        var reader = new LispReader(source, "");
        bool ok = TryRead(ref reader, "address", out address);
        bytesRead = ok ? reader.Position : 0;
        error = reader.Error;
        return ok;
    }

    internal static bool TryRead(ref LispReader reader, string field, out LispAddress address)
    {
        address = None;
        if (!reader.TryUInt16($"{field} AFI", out ushort afi))
        {
            return false;
        }

        uint? instanceId = null;
        if (afi == (ushort)LispAfi.Lcaf)
        {
            if (!reader.TryBytes($"{field} LCAF header", 6, out var header))
            {
                return false;
            }

            byte type = header[2];
            if (type != InstanceIdLcafType)
            {
                return reader.Fail($"{field} LCAF type {type} is not supported (only Instance ID, type 2)");
            }

            ushort length = BinaryPrimitives.ReadUInt16BigEndian(header[4..]);
            if (length > reader.Remaining)
            {
                return reader.Fail($"{field} LCAF length {length} runs past the end ({reader.Remaining} left)");
            }

            if (length < 6)
            {
                return reader.Fail($"{field} LCAF length {length} is too short for an Instance ID and an AFI (needs 6)");
            }

            reader.TryUInt32($"{field} Instance ID", out uint iid);
            instanceId = iid;
            reader.TryUInt16($"{field} LCAF inner AFI", out afi);
            int innerLength = AddressLengthOf((LispAfi)afi);
            if (afi > (ushort)LispAfi.Ipv6)
            {
                return reader.Fail($"{field} LCAF inner AFI {afi} is not supported");
            }

            if (length != 6 + innerLength)
            {
                return reader.Fail($"{field} LCAF length {length} does not match its inner AFI {afi} (needs {6 + innerLength})");
            }
        }

        switch ((LispAfi)afi)
        {
            case LispAfi.None:
                address = new LispAddress(LispAfi.None, UInt128.Zero, instanceId);
                return true;
            case LispAfi.Ipv4:
                if (!reader.TryUInt32($"{field} IPv4 address", out uint v4))
                {
                    return false;
                }

                address = new LispAddress(LispAfi.Ipv4, v4, instanceId);
                return true;
            case LispAfi.Ipv6:
                if (!reader.TryUInt128($"{field} IPv6 address", out UInt128 v6))
                {
                    return false;
                }

                address = new LispAddress(LispAfi.Ipv6, v6, instanceId);
                return true;
            default:
                return reader.Fail($"{field} AFI {afi} is not supported");
        }
    }

    private static int AddressLengthOf(LispAfi afi) => afi switch
    {
        LispAfi.Ipv4 => Ipv4Address.Size,
        LispAfi.Ipv6 => Ipv6Address.Size,
        _ => 0,
    };

    public override string ToString()
    {
        string text = Afi switch
        {
            LispAfi.Ipv4 => AsIpv4().ToString(),
            LispAfi.Ipv6 => AsIpv6().ToString(),
            _ => "none",
        };
        return InstanceId is uint iid ? $"[{iid}]{text}" : text;
    }
}
