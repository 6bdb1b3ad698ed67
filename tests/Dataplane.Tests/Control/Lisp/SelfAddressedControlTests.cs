using System.Text;
using Dataplane.Control.Lisp;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// A map-server pointed at itself, at run time: registrations whose registrant is the map-server's own address (a
/// Map-Register sent from it, as a forger or a misconfigured peer would), Encapsulated Map-Requests naming it as the
/// ITR, and two map-servers whose registrations point at each other. Nothing is ever sent to one of our own
/// addresses (each refusal counted as <c>SelfAddressed</c>) and a Map-Request handled by a map-server is not
/// forwarded again when another map-server sends it back (<c>MapRequestLoop</c>). Checked on the simulated underlay
/// of <see cref="LispControlLab"/>, where a node's message to itself would be delivered and seen in the log.
/// </summary>
public sealed class SelfAddressedControlTests
{
    private const string Ms1 = "192.0.2.101", Ms2 = "192.0.2.102", RlocA = "192.0.2.1", RlocC = "192.0.2.3";

    private static string MsConfig(string address, string extraRoles = "", string extraLisp = "") => $$"""
        {
          "roles": ["msmr"{{extraRoles}}],
          "ports": [ { "name": "und", "mac": "02:00:00:00:01:{{int.Parse(address.Split('.')[3], System.Globalization.CultureInfo.InvariantCulture):x2}}", "addresses": ["{{address}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{address}}" } ],{{extraLisp}}
            "mappingSystem": { "sites": [ { "name": "lab", "keyId": 2, "key": "lab-key", "eidPrefixes": ["10.0.0.0/8"] } ] }
          }
        }
        """;

    private static string XtrConfig(string rloc, string eid, params string[] msmrs) => $$"""
        {
          "roles": ["itr", "etr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:00:{{rloc.Split('.')[3].PadLeft(2, '0')}}", "addresses": ["{{rloc}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{rloc}}" } ],
            "localEids": [ "{{eid}}" ],
            "mapResolvers": [ {{string.Join(", ", msmrs.Select(m => $"\"{m}\""))}} ],
            "mapServers": [ {{MapServers(msmrs)}} ]
          }
        }
        """;

    private static string MapServers(string[] addresses) =>
        string.Join(", ", addresses.Select(a => "{ \"address\": \"" + a + "\", \"key\": \"lab-key\" }"));

    /// <summary>A signed Map-Register of <paramref name="eid"/> (a /24) with one locator, asking for a Map-Notify.</summary>
    private static byte[] Register(string eid, string locator, ulong nonce)
    {
        var record = new MappingRecord(10, LispAddressing.ToLisp(EidPrefix.Parse(eid)), MappingAction.NoAction, true, 0,
            [new LocatorRecord(1, 100, 255, 0, false, false, true, LispAddressing.ToLisp(IpAddress.Parse(locator)))]);
        var register = new MapRegister(nonce, 2, new byte[LispAuthentication.AuthenticationLength(2)], [record]) { WantMapNotify = true };
        var bytes = new byte[register.Size];
        register.WriteSigned(bytes, Encoding.UTF8.GetBytes("lab-key"));
        return bytes;
    }

    /// <summary>An ECM carrying a Map-Request for <paramref name="eid"/>, its inner source and ITR-RLOC as given.</summary>
    private static byte[] EncapsulatedRequest(ulong nonce, string eid, string innerSource, string itrRloc)
    {
        var request = new MapRequest(nonce, LispAddress.None, [LispAddressing.ToLisp(IpAddress.Parse(itrRloc))],
            [LispAddressing.ToLisp(EidPrefix.Host(0, IpAddress.Parse(eid)))]);
        var message = new byte[request.Size];
        request.Write(message);
        var source = LispAddressing.ToLisp(IpAddress.Parse(innerSource));
        var ecm = new byte[EncapsulatedControlHeader.EncapsulatedSize(source, message.Length)];
        EncapsulatedControlHeader.Plain.WriteEncapsulated(ecm, source, LispAddressing.ToLisp(IpAddress.Parse(eid)), TunnelPorts.LispControl, message);
        return ecm;
    }

    private static void Deliver(LispControlLab.Node to, string from, string toAddress, byte[] message) =>
        to.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(from), IpAddress.Parse(toAddress), 4342, 4342, message));

    [Fact]
    public void A_registration_from_the_map_servers_own_address_gets_no_notify_and_no_forwarded_request()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(Ms1));
        var c = lab.Add("c", XtrConfig(RlocC, "10.3.0.0/24", Ms1));
        lab.Run(50);

        Deliver(ms, Ms1, Ms1, Register("[0]10.7.0.0/24", "192.0.2.7", nonce: 71));
        Assert.Contains(ms.Control.MappingSystem!.Registrations, r => r.Registrant == IpAddress.Parse(Ms1));
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.SelfAddressed]); // its Map-Notify, to itself

        c.Control.Resolver!.OnMiss(0, IpAddress.Parse("10.7.0.1"));
        lab.Run(50);
        Assert.Equal(2, ms.Control.Counters[LispControlEvent.SelfAddressed]); // the forwarded request, to itself
        Assert.Equal(0, ms.Control.Counters[LispControlEvent.MapRequestForwarded]);
        Assert.DoesNotContain(lab.Sent, d => d.Source == IpAddress.Parse(Ms1) && d.Destination == IpAddress.Parse(Ms1));
    }

    [Fact]
    public void An_encapsulated_request_naming_the_map_server_as_its_itr_or_inner_source_is_dropped_and_counted()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(Ms1));
        var a = lab.Add("a", XtrConfig(RlocA, "10.1.0.0/24", Ms1));
        lab.Run(50);
        int sentBefore = lab.Sent.Count;

        Deliver(ms, RlocA, Ms1, EncapsulatedRequest(81, "10.1.0.9", innerSource: RlocA, itrRloc: Ms1));   // registered EID: would be forwarded
        Deliver(ms, RlocA, Ms1, EncapsulatedRequest(82, "10.9.0.9", innerSource: RlocA, itrRloc: Ms1));   // unregistered: would be answered
        Deliver(ms, RlocA, Ms1, EncapsulatedRequest(83, "10.1.0.9", innerSource: Ms1, itrRloc: RlocA));
        lab.Run(50);

        Assert.Equal(3, ms.Control.Counters[LispControlEvent.SelfAddressed]);
        Assert.Equal(0, ms.Control.Counters[LispControlEvent.MapRequestForwarded]);
        Assert.Equal(0, ms.Control.Counters[LispControlEvent.MapReplySent]);
        Assert.Equal(0, a.Control.Counters[LispControlEvent.MapReplySent]);
        Assert.Equal(sentBefore, lab.Sent.Count);

        // The same requests from a real ITR are served.
        Deliver(ms, RlocC, Ms1, EncapsulatedRequest(84, "10.1.0.9", innerSource: RlocC, itrRloc: RlocC));
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.MapRequestForwarded]);
    }

    /// <summary>
    /// Two map-servers each hold a registration of 10.7.0.0/24 whose registrant is the other (forged with the site's
    /// key): a request to one is forwarded to the other, which forwards it back; the first knows the nonce from the
    /// ITR and drops it as a loop, so the request crosses between them once and stops.
    /// </summary>
    [Fact]
    public void A_request_forwarded_between_two_map_servers_is_not_forwarded_back_again()
    {
        var lab = new LispControlLab();
        var ms1 = lab.Add("ms1", MsConfig(Ms1));
        var ms2 = lab.Add("ms2", MsConfig(Ms2));
        var c = lab.Add("c", XtrConfig(RlocC, "10.3.0.0/24", Ms1));
        lab.Run(50);
        Deliver(ms1, Ms2, Ms1, Register("[0]10.7.0.0/24", "192.0.2.7", nonce: 91));
        Deliver(ms2, Ms1, Ms2, Register("[0]10.7.0.0/24", "192.0.2.7", nonce: 92));
        lab.Run(50);

        c.Control.Resolver!.OnMiss(0, IpAddress.Parse("10.7.0.1"));
        lab.Run(200);

        Assert.Equal(1, ms1.Control.Counters[LispControlEvent.MapRequestForwarded]);
        Assert.Equal(1, ms2.Control.Counters[LispControlEvent.MapRequestForwarded]);
        Assert.Equal(1, ms1.Control.Counters[LispControlEvent.MapRequestLoop]);

        // The ITR's retransmission (same nonce, from the ITR again) is served as a request, and crosses once more.
        lab.RunUntil(() => c.Control.Counters[LispControlEvent.MapRequestRetransmitted] == 1, 1_100);
        lab.Run(100);
        Assert.Equal(2, ms1.Control.Counters[LispControlEvent.MapRequestForwarded]);
        Assert.Equal(2, ms2.Control.Counters[LispControlEvent.MapRequestForwarded]);
        Assert.Equal(2, ms1.Control.Counters[LispControlEvent.MapRequestLoop]);
    }

    /// <summary>A node that is map-server and ETR answers for its own EIDs itself, without registering with itself.</summary>
    [Fact]
    public void A_map_server_that_is_also_the_etr_of_an_eid_answers_for_it_as_its_etr()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(Ms1, extraRoles: """, "itr", "etr" """, extraLisp: """ "localEids": ["10.5.0.0/24"], """));
        var c = lab.Add("c", XtrConfig(RlocC, "10.3.0.0/24", Ms1));
        lab.Run(50);

        c.Control.Resolver!.OnMiss(0, IpAddress.Parse("10.5.0.1"));
        lab.RunUntil(() => c.Lookup("10.5.0.1") is { IsNegative: false }, 100);

        Assert.Equal(IpAddress.Parse(Ms1), c.Lookup("10.5.0.1")!.Locators.ToArray().Single().Address);
        Assert.Equal(0, ms.Control.Counters[LispControlEvent.MapRequestForwarded]);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.MapReplySent]);
        Assert.Equal(0, ms.Control.Counters[LispControlEvent.SelfAddressed]);
    }
}
