using System.Text;
using Dataplane.Control.Lisp;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Throughput.MapServer;

/// <summary>
/// A map-server (<see cref="MappingSystem"/>, role msmr) and the messages a deployment sends it: 1024 sites, each a
/// /18 of 10.0.0.0/8 with its own key; registrations of /28 EID prefixes (up to 2^20) with one locator, or two for a
/// multihomed share; Encapsulated Map-Requests for host EIDs inside them. Messages are real bytes from the wire codec,
/// signed with HMAC-SHA-256 (the whole digest). What the map-server sends is counted and dropped.
/// </summary>
public sealed class MapServerLoad
{
    public const int SiteCount = 1024;
    public const int MaxPrefixes = 1 << 20;
    private static readonly byte[][] Keys = [.. Enumerable.Range(0, SiteCount).Select(i => Encoding.UTF8.GetBytes($"site-key-{i}"))];
    private long clock = 1_000;
    private ulong nonce = 1;

    public MapServerLoad(bool proxyReply)
    {
        ProxyReply = proxyReply;
        var config = new MappingSystemConfig
        {
            Sites = [.. Enumerable.Range(0, SiteCount).Select(i => new SiteConfig
            {
                Name = $"site-{i}",
                Key = $"site-key-{i}",
                EidPrefixes = [$"10.{i >> 2}.{(i & 3) << 6}.0/18"],
            })],
            RegistrationTtlMinutes = 3,
        };
        var lisp = new LispConfig { LocalRlocs = [new LocatorConfig { Address = "192.0.2.100" }], MappingSystem = config };
        Context = new LispControlContext(lisp, null, new ManualClock(), _ =>
        {
            Sent++;
            return true;
        }, () => clock);
        Server = new MappingSystem(Context, config);
    }

    public bool ProxyReply { get; }

    public LispControlContext Context { get; }

    public MappingSystem Server { get; }

    public long Sent { get; private set; }

    /// <summary>Moves the map-server's clock (so a refresh lands in another expiry bucket, as it does in a deployment).</summary>
    public void Advance(long milliseconds) => clock += milliseconds;

    /// <summary>The <paramref name="n"/>th /28 prefix of 10.0.0.0/8 (in site n / 1024).</summary>
    public static EidPrefix Prefix(int n) => EidPrefix.Create(0, new IpAddress(new Ipv4Address(0x0A00_0000u + ((uint)n << 4))), 28);

    public static int SiteOf(int n) => n >> 10;

    /// <summary>A signed Map-Register of prefixes <paramref name="first"/>.. (<paramref name="count"/> of them, one site's), as an ETR sends it.</summary>
    public byte[] Register(int first, int count, bool wantMapNotify, bool twoLocatorsForOdd)
    {
        var records = new MappingRecord[count];
        for (int i = 0; i < count; i++)
        {
            int n = first + i;
            var rloc = new LocatorRecord(1, 100, 255, 0, true, false, true, LispAddress.Ipv4(new Ipv4Address(0xC633_0000u + (uint)(n & 0xFFFF))));
            records[i] = new MappingRecord(3, LispAddressing.ToLisp(Prefix(n)), MappingAction.NoAction, true, 0,
                twoLocatorsForOdd && (n & 1) == 1
                    ? [rloc, rloc with { Priority = 2, Address = LispAddress.Ipv4(new Ipv4Address(0xCB00_7100u + (uint)(n & 0xFF))) }]
                    : [rloc]);
        }

        var register = new MapRegister(nonce++, LispAuthentication.HmacSha256_128, new byte[32], records) { WantMapNotify = wantMapNotify, ProxyReply = ProxyReply };
        var bytes = new byte[register.Size];
        register.WriteSigned(bytes, Keys[SiteOf(first)]);
        return bytes;
    }

    /// <summary>An Encapsulated Map-Request from an ITR (192.0.2.1) for the host <paramref name="host"/> of prefix <paramref name="n"/>.</summary>
    public static byte[] EncapsulatedRequest(int n, int host, ulong requestNonce)
    {
        var eid = new Ipv4Address(0x0A00_0000u + ((uint)n << 4) + (uint)(host & 0xF));
        var request = new MapRequest(requestNonce, LispAddress.Ipv4(Ipv4Address.Parse("172.16.0.1")),
            [LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.1"))], [new LispPrefix(LispAddress.Ipv4(eid), 32)]);
        var inner = new byte[request.Size];
        request.Write(inner);
        var buffer = new byte[inner.Length + 64];
        int length = EncapsulatedControlHeader.Plain.WriteEncapsulated(buffer, LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.1")),
            LispAddress.Ipv4(eid), 54321, inner);
        return buffer.AsSpan(0, length).ToArray();
    }

    private static readonly IpAddress Etr = IpAddress.Parse("192.0.2.1");

    public void Deliver(byte[] register) => Server.OnMapRegister(register, Etr);

    /// <summary>The whole Map-Request path at the map-resolver: ECM and Map-Request parsed, the EID looked up, the answer built and sent.</summary>
    public bool Resolve(byte[] ecmPayload)
    {
        if (!EncapsulatedControlHeader.TryParseEncapsulated(ecmPayload, out var ecm, out _)
            || !MapRequest.TryParse(ecm!.MessageIn(ecmPayload), out var request, out _))
        {
            return false;
        }

        Server.OnEncapsulatedMapRequest(ecmPayload, ecm, request!);
        return true;
    }
}
