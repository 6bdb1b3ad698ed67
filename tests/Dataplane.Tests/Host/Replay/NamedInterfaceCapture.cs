using System.Buffers.Binary;
using System.Text;

namespace Dataplane.Tests.Host.Replay;

/// <summary>
/// A pcapng written byte by byte from the format's description (draft-ietf-opsawg-pcapng: SHB, an IDB per named
/// interface with if_name and if_tsresol 9, EPBs), not by the product's writer, so the replay's reader is checked
/// against the format and tshark confirms the names.
/// </summary>
internal static class NamedInterfaceCapture
{
    public static void Write(string path, IReadOnlyList<string> interfaces, IEnumerable<(int Interface, byte[] Frame)> packets)
    {
        using var file = File.Create(path);
        // SHB: type, length 28, byte-order magic, version 1.0, section length -1 (unknown), no options, length.
        file.Write(Block(0x0A0D0D0A, [.. U32(0x1A2B3C4D), .. U16(1), .. U16(0), .. BitConverter.GetBytes(-1L)]));
        foreach (string name in interfaces)
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            // IDB: link type 1 (Ethernet), reserved, snaplen 0, if_name (2), if_tsresol (9) = 9, opt_endofopt.
            file.Write(Block(1, [.. U16(1), .. U16(0), .. U32(0), .. Option(2, nameBytes), .. Option(9, [9]), .. U32(0)]));
        }

        long timestamp = 1_700_000_000_000_000_000;
        foreach (var (interfaceId, frame) in packets)
        {
            timestamp += 1000;
            byte[] padded = new byte[(frame.Length + 3) & ~3];
            frame.CopyTo(padded, 0);
            file.Write(Block(6, [.. U32((uint)interfaceId), .. U32((uint)(timestamp >> 32)), .. U32((uint)timestamp), .. U32((uint)frame.Length), .. U32((uint)frame.Length), .. padded]));
        }
    }

    private static byte[] Block(uint type, byte[] body) => [.. U32(type), .. U32((uint)(body.Length + 12)), .. body, .. U32((uint)(body.Length + 12))];

    private static byte[] Option(ushort code, byte[] value)
    {
        byte[] padded = new byte[(value.Length + 3) & ~3];
        value.CopyTo(padded, 0);
        return [.. U16(code), .. U16((ushort)value.Length), .. padded];
    }

    private static byte[] U32(uint value)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] U16(ushort value)
    {
        byte[] bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return bytes;
    }
}
