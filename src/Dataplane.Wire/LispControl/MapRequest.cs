namespace Dataplane.Wire.LispControl;

/// <summary>
/// Map-Request (RFC 9301 section 5.2):
/// <code>
/// |Type=1 |A|M|P|S|p|s|R|R|  Rsvd  |L|D|   IRC   | Record Count  |
/// |                         Nonce . . .                           |
/// |                         . . . Nonce                           |
/// |         Source-EID-AFI        |   Source EID Address  ...     |
/// |         ITR-RLOC-AFI 1        |    ITR-RLOC Address 1  ...    |
/// |                              ...                              |
/// |   Reserved    | EID mask-len  |        EID-Prefix-AFI         |  (Record Count times)
/// |                       EID-Prefix  ...                         |
/// |                   Map-Reply Record  ...                       |  (when M is set)
/// </code>
/// IRC is the ITR-RLOC count minus one, so a request carries 1 to 32 ITR-RLOCs.
/// </summary>
public sealed record MapRequest(ulong Nonce, LispAddress SourceEid, IReadOnlyList<LispAddress> ItrRlocs,
    IReadOnlyList<LispPrefix> Records)
{
    public const byte AuthoritativeFlag = 0x08;
    public const byte MapDataPresentFlag = 0x04;
    public const byte ProbeFlag = 0x02;
    public const byte SmrFlag = 0x01;
    public const byte PitrFlag = 0x80;
    public const byte SmrInvokedFlag = 0x40;
    public const int MaxItrRlocs = 32;

    public bool Authoritative { get; init; }

    /// <summary>The M bit: a Map-Reply record follows the EID records. Written from <see cref="MapReplyRecord"/>.</summary>
    public bool MapDataPresent => MapReplyRecord is not null;

    public bool Probe { get; init; }

    public bool Smr { get; init; }

    public bool Pitr { get; init; }

    public bool SmrInvoked { get; init; }

    /// <summary>The sender's own mapping for the Source-EID (M bit), cached by the receiver only as a hint.</summary>
    public MappingRecord? MapReplyRecord { get; init; }

    public int Size
    {
        get
        {
            int size = 12 + SourceEid.Size;
            foreach (var rloc in ItrRlocs)
            {
                size += rloc.Size;
            }

            foreach (var record in Records)
            {
                size += 2 + record.Address.Size;
            }

            return size + (MapReplyRecord?.Size ?? 0);
        }
    }

    public int Write(Span<byte> destination)
    {
        if (ItrRlocs.Count is < 1 or > MaxItrRlocs)
        {
            throw new ArgumentException($"a Map-Request carries 1 to 32 ITR-RLOCs, this one has {ItrRlocs.Count}");
        }

        if (Records.Count > byte.MaxValue)
        {
            throw new ArgumentException($"a Map-Request carries at most 255 records, this one has {Records.Count}");
        }

        int size = Size;
        LispWriter.EnsureRoom(destination, size, "Map-Request");
        var writer = new LispWriter(destination);
        writer.Byte((byte)(((int)LispMessageType.MapRequest << 4)
            | (Authoritative ? AuthoritativeFlag : 0) | (MapDataPresent ? MapDataPresentFlag : 0)
            | (Probe ? ProbeFlag : 0) | (Smr ? SmrFlag : 0)));
        writer.Byte((byte)((Pitr ? PitrFlag : 0) | (SmrInvoked ? SmrInvokedFlag : 0)));
        writer.Byte((byte)(ItrRlocs.Count - 1));
        writer.Byte((byte)Records.Count);
        writer.UInt64(Nonce);
        SourceEid.Write(ref writer);
        foreach (var rloc in ItrRlocs)
        {
            rloc.Write(ref writer);
        }

        foreach (var record in Records)
        {
            writer.Byte(0);
            writer.Byte(record.MaskLength);
            record.Address.Write(ref writer);
        }

        MapReplyRecord?.Write(ref writer);
        return writer.Position;
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out MapRequest? message, out string error)
    {
        var reader = new LispReader(data, "Map-Request");
        bool ok = TryRead(ref reader, out message);
        error = reader.Error;
        return ok;
    }

    private static bool TryRead(ref LispReader reader, out MapRequest? message)
    {
        message = null;
        if (!reader.TryBytes("header", 4, out var head))
        {
            return false;
        }

        if (head[0] >> 4 != (int)LispMessageType.MapRequest)
        {
            return reader.Fail($"type {head[0] >> 4} is not 1");
        }

        int itrCount = (head[2] & 0x1F) + 1;
        int recordCount = head[3];
        if (!reader.TryUInt64("nonce", out ulong nonce) || !LispAddress.TryRead(ref reader, "Source-EID", out var sourceEid))
        {
            return false;
        }

        if (itrCount * 2 > reader.Remaining)
        {
            return reader.Fail($"ITR-RLOC count {itrCount} runs past the end (needs at least {itrCount * 2} bytes, {reader.Remaining} left)");
        }

        var rlocs = new LispAddress[itrCount];
        for (int i = 0; i < itrCount; i++)
        {
            if (!LispAddress.TryRead(ref reader, $"ITR-RLOC {i + 1}", out rlocs[i]))
            {
                return false;
            }
        }

        if (recordCount * 4 > reader.Remaining)
        {
            return reader.Fail($"record count {recordCount} runs past the end (needs at least {recordCount * 4} bytes, {reader.Remaining} left)");
        }

        var records = new LispPrefix[recordCount];
        for (int i = 0; i < recordCount; i++)
        {
            string field = $"record {i + 1}";
            if (!reader.TryBytes($"{field} reserved/mask-len", 2, out var recordHead)
                || !LispAddress.TryRead(ref reader, $"{field} EID-Prefix", out var eid))
            {
                return false;
            }

            if (!MappingRecord.IsValidMaskLength(eid, recordHead[1]))
            {
                return reader.Fail($"{field} EID mask-len {recordHead[1]} is too long for AFI {(ushort)eid.Afi}");
            }

            records[i] = new LispPrefix(eid, recordHead[1]);
        }

        MappingRecord? mapReply = null;
        if ((head[0] & MapDataPresentFlag) != 0 && !MappingRecord.TryRead(ref reader, "Map-Reply record", out mapReply))
        {
            return false;
        }

        message = new MapRequest(nonce, sourceEid, rlocs, records)
        {
            Authoritative = (head[0] & AuthoritativeFlag) != 0,
            Probe = (head[0] & ProbeFlag) != 0,
            Smr = (head[0] & SmrFlag) != 0,
            Pitr = (head[1] & PitrFlag) != 0,
            SmrInvoked = (head[1] & SmrInvokedFlag) != 0,
            MapReplyRecord = mapReply,
        };
        return true;
    }

    public bool Equals(MapRequest? other) =>
        other is not null && Nonce == other.Nonce && SourceEid == other.SourceEid
        && ListEquality.Equal(ItrRlocs, other.ItrRlocs) && ListEquality.Equal(Records, other.Records)
        && Authoritative == other.Authoritative && Probe == other.Probe && Smr == other.Smr && Pitr == other.Pitr
        && SmrInvoked == other.SmrInvoked && Equals(MapReplyRecord, other.MapReplyRecord);

    public override int GetHashCode() =>
        HashCode.Combine(Nonce, SourceEid, ListEquality.Hash(ItrRlocs), ListEquality.Hash(Records),
            HashCode.Combine(Authoritative, Probe, Smr, Pitr, SmrInvoked, MapReplyRecord));
}
