using System.Text;
using Dataplane.Control.Lisp;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Control.Lisp.MapServer;

/// <summary>
/// A map-server (the msmr role's <see cref="MappingSystem"/>) on its own, fed signed Map-Registers built with the
/// wire codec, on a clock the test moves; what it sends is kept.
/// </summary>
internal sealed class MapServerUnderTest
{
    public const string Address = "192.0.2.100";
    private ulong nonce = 1;

    public MapServerUnderTest(MappingSystemConfig config)
    {
        var lisp = new LispConfig { LocalRlocs = [new LocatorConfig { Address = Address }], MappingSystem = config };
        Context = new LispControlContext(lisp, null, new ManualClock(), packet =>
        {
            Sent.Add(packet);
            return true;
        }, () => Now);
        Server = new MappingSystem(Context, config);
    }

    public long Now { get; set; } = 1_000;

    public LispControlContext Context { get; }

    public MappingSystem Server { get; }

    public List<byte[]> Sent { get; } = [];

    public long this[LispControlEvent e] => Context.Counters[e];

    /// <summary>One IPv4 EID prefix with <paramref name="locators"/> RLOCs (192.0.2.x, priority 1, 2, ...).</summary>
    public static MappingRecord Record(EidPrefix prefix, int locators = 1, byte firstRloc = 1) =>
        new(3, LispAddressing.ToLisp(prefix), MappingAction.NoAction, Authoritative: true, 0,
            [.. Enumerable.Range(0, locators).Select(i => new LocatorRecord((byte)(i + 1), 100, 255, 0, true, false, true,
                LispAddress.Ipv4(new Ipv4Address(0xC000_0200u + (uint)(firstRloc + i)))))]);

    /// <summary>A Map-Register of <paramref name="records"/> signed with <paramref name="key"/>, a fresh nonce unless given.</summary>
    public byte[] Register(string key, IReadOnlyList<MappingRecord> records, ushort keyId = 2, ulong? withNonce = null, bool wantMapNotify = true)
    {
        var register = new MapRegister(withNonce ?? nonce++, keyId, new byte[LispAuthentication.AuthenticationLength(keyId)], records) { WantMapNotify = wantMapNotify };
        var bytes = new byte[register.Size];
        register.WriteSigned(bytes, Encoding.UTF8.GetBytes(key));
        return bytes;
    }

    public void Deliver(byte[] register, string from = "192.0.2.1") => Server.OnMapRegister(register, IpAddress.Parse(from));

    public void Tick() => Server.OnTick(Now);

    public static EidPrefix V4(uint address, int length, uint instance = 0) =>
        EidPrefix.Create(instance, new IpAddress(new Ipv4Address(address)), length);
}
