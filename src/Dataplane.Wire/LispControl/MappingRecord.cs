namespace Dataplane.Wire.LispControl;

/// <summary>
/// One EID-to-RLOC mapping (RFC 9301 section 5.4), the record shared by Map-Reply, Map-Register, Map-Notify and
/// Change-Priority:
/// <code>
/// |                          Record TTL                           |
/// | Locator Count | EID mask-len  | ACT |A|      Reserved         |
/// | Rsvd  |  Map-Version Number   |       EID-Prefix-AFI          |
/// |                          EID-Prefix                           |
/// |  ... Locator Count locator records ...                        |
/// </code>
/// </summary>
public sealed record MappingRecord(uint TtlMinutes, LispPrefix Eid, MappingAction Action, bool Authoritative,
    ushort MapVersion, IReadOnlyList<LocatorRecord> Locators)
{
    /// <summary>TTL, counts/flags word, version word, EID AFI 0: the least a record can take.</summary>
    public const int MinimumSize = 12;

    public const byte AuthoritativeFlag = 0x10;

    /// <summary>An all-ones TTL: the mapping never expires (RFC 9301 section 5.4).</summary>
    public const uint InfiniteTtl = uint.MaxValue;

    public int Size
    {
        get
        {
            int size = 10 + Eid.Address.Size;
            foreach (var locator in Locators)
            {
                size += locator.Size;
            }

            return size;
        }
    }

    public bool Equals(MappingRecord? other) =>
        other is not null && TtlMinutes == other.TtlMinutes && Eid == other.Eid && Action == other.Action
        && Authoritative == other.Authoritative && MapVersion == other.MapVersion
        && ListEquality.Equal(Locators, other.Locators);

    public override int GetHashCode() =>
        HashCode.Combine(TtlMinutes, Eid, Action, Authoritative, MapVersion, ListEquality.Hash(Locators));

    internal void Write(ref LispWriter writer)
    {
        if (Locators.Count > byte.MaxValue)
        {
            throw new ArgumentException($"a mapping record holds at most 255 locators, this one has {Locators.Count}");
        }

        writer.UInt32(TtlMinutes);
        writer.Byte((byte)Locators.Count);
        writer.Byte(Eid.MaskLength);
        writer.Byte((byte)((((int)Action & 0x7) << 5) | (Authoritative ? AuthoritativeFlag : 0)));
        writer.Byte(0);
        // Rsvd (4 bits) + 12-bit Map-Version; the EID-Prefix AFI (and LCAF) follows inside Eid.Address.
        writer.UInt16((ushort)(MapVersion & 0x0FFF));
        Eid.Address.Write(ref writer);
        foreach (var locator in Locators)
        {
            locator.Write(ref writer);
        }
    }

    internal static bool TryRead(ref LispReader reader, string field, out MappingRecord? record)
    {
        record = null;
        if (!reader.TryBytes($"{field} header", 10, out var head))
        {
            return false;
        }

        uint ttl = (uint)((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]);
        int locatorCount = head[4];
        byte maskLength = head[5];
        var action = (MappingAction)(head[6] >> 5);
        bool authoritative = (head[6] & AuthoritativeFlag) != 0;
        ushort mapVersion = (ushort)(((head[8] << 8) | head[9]) & 0x0FFF);
        if (!LispAddress.TryRead(ref reader, $"{field} EID-Prefix", out var eid))
        {
            return false;
        }

        if (!IsValidMaskLength(eid, maskLength))
        {
            return reader.Fail($"{field} EID mask-len {maskLength} is too long for AFI {(ushort)eid.Afi}");
        }

        if (locatorCount * LocatorRecord.MinimumSize > reader.Remaining)
        {
            return reader.Fail($"{field} locator count {locatorCount} runs past the end (needs at least {locatorCount * LocatorRecord.MinimumSize} bytes, {reader.Remaining} left)");
        }

        var locators = new LocatorRecord[locatorCount];
        for (int i = 0; i < locatorCount; i++)
        {
            if (!LocatorRecord.TryRead(ref reader, $"{field} locator {i + 1}", out var locator))
            {
                return false;
            }

            locators[i] = locator!;
        }

        record = new MappingRecord(ttl, new LispPrefix(eid, maskLength), action, authoritative, mapVersion, locators);
        return true;
    }

    internal static bool IsValidMaskLength(LispAddress address, byte maskLength) =>
        maskLength <= address.AddressLength * 8;

    /// <summary>Reads <paramref name="count"/> records after checking the count cannot lie about the bytes left.</summary>
    internal static bool TryReadList(ref LispReader reader, int count, int trailerLength, out MappingRecord[] records)
    {
        records = [];
        int available = reader.Remaining - trailerLength;
        if (count * MinimumSize > available)
        {
            return reader.Fail($"record count {count} runs past the end (needs at least {count * MinimumSize} bytes, {Math.Max(available, 0)} left)");
        }

        var list = new MappingRecord[count];
        for (int i = 0; i < count; i++)
        {
            if (!TryRead(ref reader, $"record {i + 1}", out var record))
            {
                return false;
            }

            list[i] = record!;
        }

        records = list;
        return true;
    }

    internal static int SizeOf(IReadOnlyList<MappingRecord> records)
    {
        int size = 0;
        foreach (var record in records)
        {
            size += record.Size;
        }

        return size;
    }
}
