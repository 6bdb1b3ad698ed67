using System.Buffers.Binary;
using Dataplane.Wire.Checksums;

namespace Dataplane.Tests.Wire.Checksums;

public class Ipv4HeaderChecksumTests
{
    [Theory]
    [InlineData(0x00, 84, 0x4000, 64, 17, 0xC000_0201u, 0xC633_6402u)]  // a LISP/VXLAN outer header, DF
    [InlineData(0xB8, 1500, 0x0000, 1, 17, 0x0A00_0001u, 0x0A00_0002u)] // DSCP EF, no flags, TTL 1
    [InlineData(0xFF, 65535, 0x4000, 255, 17, 0xFFFF_FFFFu, 0xFFFF_FFFFu)] // every carry the sum can have
    [InlineData(0x00, 20, 0x0000, 0, 0, 0u, 0u)]
    public void Summed_from_the_fields_equals_the_sum_over_the_written_header(byte tos, ushort totalLength, ushort flags, byte ttl,
        byte protocol, uint source, uint destination)
    {
        byte[] header = new byte[20];
        header[0] = 0x45;
        header[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), totalLength);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), flags);
        header[8] = ttl;
        header[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), source);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(16), destination);

        ushort fromFields = Ipv4HeaderChecksum.ForFields(tos, totalLength, flags, ttl, protocol, source, destination);

        Assert.Equal(InternetChecksum.Compute(header), fromFields);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), fromFields);
        Assert.True(InternetChecksum.IsValid(header));
    }
}
