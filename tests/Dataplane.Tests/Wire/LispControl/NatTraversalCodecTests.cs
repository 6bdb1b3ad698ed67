using System.Security.Cryptography;
using System.Text;
using Dataplane.Ports.Pcap;
using Dataplane.Tests.Oracles;
using Dataplane.Tests.Pcap;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Wire.LispControl;

/// <summary>
/// The NAT-traversal messages (Info-Request / Info-Reply with the NAT-Traversal LCAF, and the ECM's second-octet R
/// and N bits) against bytes nobody here wrote: UDP payloads Open Overlay Router 1.3.0 sent in namespaces (an xTR
/// with nat_traversal_support behind an nftables masquerade, OOR's map-server and RTR; key "site-key", key type 1),
/// each HMAC computed by OOR; and what we write, read back by Wireshark's LISP dissector.
/// </summary>
public class NatTraversalCodecTests
{
    private static readonly byte[] SiteKey = Encoding.ASCII.GetBytes("site-key");

    // OOR xTR (RLOC 172.16.0.2, NATed to 192.0.2.1) to the map-server 192.0.2.100: Info-Request for 10.1.0.0/24.
    internal static readonly byte[] OorInfoRequest = Convert.FromHexString(
        "70000000" + "7bce1e6b160cce6b" + "0001" + "0014" + "803efecd22e69f3e2637e20014522f2a6d9ee6ea" + "00000000" + "00" + "18" + "0001" + "0a010000" + "0000");

    // OOR map-server's answer: TTL 5 min, NAT-Traversal LCAF: MS port 4342, ETR port 4342, global ETR 192.0.2.1,
    // MS 192.0.2.100, private ETR AFI 0, one RTR 192.0.2.50.
    internal static readonly byte[] OorInfoReply = Convert.FromHexString(
        "78000000" + "7bce1e6b160cce6b" + "0001" + "0014" + "5141bcdb1b14f6e1c6bda680a319edbb51a7dfed" + "00000005" + "00" + "18" + "0001" + "0a010000"
        + "4003" + "00" + "00" + "07" + "00" + "0018" + "10f6" + "10f6" + "0001c0000201" + "0001c0000264" + "0000" + "0001c0000232");

    // OOR xTR to its RTR 192.0.2.50 (outer UDP 4341 -> 4342): ECM with R in the second octet, inner IPv4
    // 172.16.0.2 -> 192.0.2.100 UDP 4342 -> 4342, Map-Register P, I, OOR's old R bit, M; two locators (its private
    // RLOC, unreachable, and the RTR), xTR-ID and site-ID.
    internal static readonly byte[] OorEncapsulatedMapRegister = Convert.FromHexString(
        "80400000" + "4500008000024000ff110cf4ac100002c0000264" + "10f610f6006cee88"
        + "3b000101dfdd7f6b167d519700010014915bd4f8603fe837a36ccefee45b2e5d1a66ab040000000a02181000000000010a0100000164ff0000040001ac100002"
        + "0164ff0000010001c0000232783fb44c4dcfe8f6b4b99aceaee7965e0000000000000000");

    [Fact]
    public void Open_Overlay_Routers_Info_Request_reads_and_verifies_with_the_sites_key()
    {
        Assert.True(InfoMessage.TryParseVerified(OorInfoRequest, keyId => keyId == 1 ? SiteKey : null, out var request, out string error), error);
        Assert.False(request!.IsReply);
        Assert.Equal(0x7bce1e6b160cce6bUL, request.Nonce);
        Assert.Equal(1, request.KeyId);
        Assert.Equal(20, request.AuthenticationData.Length);
        Assert.Equal(0u, request.TtlMinutes);
        Assert.Equal(LispAddress.Ipv4(Ipv4Address.Parse("10.1.0.0")), request.Eid);
        Assert.Equal(24, request.EidMaskLength);
        Assert.Null(request.Nat);

        Assert.False(InfoMessage.TryParseVerified(OorInfoRequest, _ => Encoding.ASCII.GetBytes("other-key"), out _, out error));
        Assert.Contains("does not match", error);

        // Written back, byte for byte what OOR sent.
        var written = new byte[request.Size];
        Assert.Equal(OorInfoRequest.Length, request.Write(written));
        Assert.Equal(OorInfoRequest, written);
    }

    [Fact]
    public void Open_Overlay_Routers_Info_Reply_reads_its_NAT_traversal_LCAF_and_is_written_back_the_same()
    {
        Assert.True(InfoMessage.TryParseVerified(OorInfoReply, keyId => keyId == 1 ? SiteKey : null, out var reply, out string error), error);
        Assert.True(reply!.IsReply);
        Assert.Equal(5u, reply.TtlMinutes);
        Assert.Equal(24, reply.EidMaskLength);
        var nat = reply.Nat!;
        Assert.Equal(4342, nat.MapServerPort);
        Assert.Equal(4342, nat.EtrPort);
        Assert.Equal(LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.1")), nat.GlobalEtrRloc);
        Assert.Equal(LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.100")), nat.MapServerRloc);
        Assert.True(nat.PrivateEtrRloc.IsNone);
        Assert.Equal([LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.50"))], nat.RtrRlocs);

        var written = new byte[reply.Size];
        reply.Write(written);
        Assert.Equal(OorInfoReply, written);
    }

    [Fact]
    public void An_Info_Reply_we_sign_is_the_HMAC_an_independent_implementation_computes()
    {
        var reply = Reply(new byte[20]);
        var bytes = new byte[reply.Size];
        reply.WriteSigned(bytes, SiteKey);
        var zeroed = (byte[])bytes.Clone();
        Array.Clear(zeroed, InfoMessage.AuthenticationDataOffset, 20);
        Assert.Equal(HMACSHA1.HashData(SiteKey, zeroed), bytes[16..36]);
    }

    [Fact]
    public void Open_Overlay_Routers_Map_Register_through_the_RTR_carries_R_in_the_ECMs_second_octet()
    {
        Assert.True(EncapsulatedControlHeader.TryParseEncapsulated(OorEncapsulatedMapRegister, out var ecm, out string error), error);
        Assert.True(ecm!.Header.RtrProcess);
        Assert.False(ecm.Header.RtrRelayed);
        Assert.False(ecm.Header.ToRtr || ecm.Header.NatTraversal || ecm.Header.Security);
        Assert.Equal(LispAddress.Ipv4(Ipv4Address.Parse("172.16.0.2")), ecm.InnerSource);
        Assert.Equal(LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.100")), ecm.InnerDestination);
        Assert.True(MapRegister.TryParseVerified(ecm.MessageIn(OorEncapsulatedMapRegister), keyId => keyId == 1 ? SiteKey : null, out var register, out error), error);
        Assert.True(register!.XtrIdPresent && register.ProxyReply && register.WantMapNotify);
        Assert.Equal(UInt128.Parse("783fb44c4dcfe8f6b4b99aceaee7965e", System.Globalization.NumberStyles.HexNumber), register.XtrId);
        Assert.Equal([Ipv4Address.Parse("172.16.0.2"), Ipv4Address.Parse("192.0.2.50")], register.Records[0].Locators.Select(l => l.Address.AsIpv4()));

        // Our writer puts the bits where OOR reads them: R 0x40 and N 0x20 of the second octet.
        var header = new byte[4];
        (EncapsulatedControlHeader.Plain with { RtrRelayed = true }).Write(header);
        Assert.Equal(new byte[] { 0x80, 0x20, 0, 0 }, header);
        (EncapsulatedControlHeader.Plain with { RtrProcess = true }).Write(header);
        Assert.Equal(new byte[] { 0x80, 0x40, 0, 0 }, header);
    }

    [Theory]
    [InlineData(60, "runs past")] // cut inside the LCAF
    [InlineData(76, "runs past")] // cut inside the RTR list
    public void A_truncated_Info_Reply_is_refused_by_name(int length, string problem)
    {
        Assert.False(InfoMessage.TryParse(OorInfoReply.AsSpan(0, length), out _, out string error));
        Assert.Contains(problem, error);
        Assert.StartsWith("Info-Reply", error);
    }

    [Fact]
    public void An_Info_Request_with_something_after_the_EID_or_an_overlong_mask_is_refused()
    {
        var bad = (byte[])OorInfoRequest.Clone();
        bad[^1] = 1;
        Assert.False(InfoMessage.TryParse(bad, out _, out string error));
        Assert.Contains("AFI 0", error);
        bad = (byte[])OorInfoRequest.Clone();
        bad[41] = 33;
        Assert.False(InfoMessage.TryParse(bad, out _, out error));
        Assert.Contains("mask-len 33", error);
        // An LCAF whose Length claims more RTRs than the bytes hold.
        bad = (byte[])OorInfoReply.Clone();
        bad[55] = 0x30;
        Assert.False(InfoMessage.TryParse(bad, out _, out error));
        Assert.Contains("NAT-Traversal LCAF length", error);
    }

    [Fact]
    public void Tshark_reads_the_Info_Request_and_Info_Reply_we_write()
    {
        TsharkOracle.RequireInstalled();
        var request = new InfoMessage(false, 0x1122334455667788, 1, new byte[20], 0, LispAddress.Ipv4(Ipv4Address.Parse("10.1.0.0")), 24, null);
        var reply = Reply(new byte[20]);
        byte[][] messages = [Signed(request), Signed(reply)];
        using var capture = new TempFile(".pcap");
        using (var writer = new PcapWriter(capture.Path))
        {
            foreach (byte[] message in messages)
            {
                writer.Write(LispControlTsharkTests.Frame(message), 0);
            }
        }

        Assert.Empty(TsharkOracle.Problems(capture.Path));
        var frames = TsharkOracle.Fields(capture.Path, "lisp.type", "lisp.info.r", "lisp.nonce", "lisp.keyid", "lisp.authlen", "lisp.auth",
            "lisp.info.ttl", "lisp.info.prefix.masklen", "lisp.info.prefix.ipv4", "lisp.info.afi", "lisp.lcaf.type", "lisp.lcaf.natt.msport",
            "lisp.lcaf.natt.etrport", "lisp.lcaf.natt.rloc.ipv4", "lisp.lcaf.natt.rloc.afi");
        Assert.Equal(2, frames.Count);
        Assert.Equal(["7"], frames[0]["lisp.type"]);
        Assert.Equal(["0"], frames[0]["lisp.info.r"]);
        Assert.Equal(["0x1122334455667788"], frames[0]["lisp.nonce"]);
        Assert.Equal(["20"], frames[0]["lisp.authlen"]);
        Assert.Equal([Convert.ToHexStringLower(messages[0][16..36])], frames[0]["lisp.auth"]);
        Assert.Equal(["24"], frames[0]["lisp.info.prefix.masklen"]);
        Assert.Equal(["10.1.0.0"], frames[0]["lisp.info.prefix.ipv4"]);
        Assert.Equal(["0"], frames[0]["lisp.info.afi"]);

        var info = frames[1];
        Assert.Equal(["1"], info["lisp.info.r"]);
        Assert.Equal(["1440"], info["lisp.info.ttl"]);
        Assert.Equal(["7"], info["lisp.lcaf.type"]);
        Assert.Equal(["4342"], info["lisp.lcaf.natt.msport"]);
        Assert.Equal(["61001"], info["lisp.lcaf.natt.etrport"]);
        Assert.Equal(["203.0.113.9", "192.0.2.100", "172.16.0.2", "192.0.2.50", "192.0.2.51"], info["lisp.lcaf.natt.rloc.ipv4"]);
    }

    /// <summary>What our map-server answers: the ETR seen as 203.0.113.9:61001, two RTRs.</summary>
    private static InfoMessage Reply(byte[] authentication) => new(true, 0x1122334455667788, 1, authentication, 1440,
        LispAddress.Ipv4(Ipv4Address.Parse("10.1.0.0")), 24,
        new NatTraversalAddresses(4342, 61001, LispAddress.Ipv4(Ipv4Address.Parse("203.0.113.9")), LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.100")),
            LispAddress.Ipv4(Ipv4Address.Parse("172.16.0.2")), [LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.50")), LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.51"))]));

    private static byte[] Signed(InfoMessage message)
    {
        var bytes = new byte[message.Size];
        message.WriteSigned(bytes, SiteKey);
        return bytes;
    }
}
