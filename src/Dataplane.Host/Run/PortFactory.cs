using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Ports;
using Dataplane.Ports.AfPacket;
using Dataplane.Ports.Dpdk;
using Dataplane.Ports.Libpcap;
using Dataplane.Ports.Pcap;
using DpdkSharp;

namespace Dataplane.Host.Run;

/// <summary>Opens the configured ports with their drivers; a port that cannot be opened is a configuration error naming it.</summary>
public static class PortFactory
{
    public static PortSet Open(DataplaneConfig config, ForwardingPlane plane)
    {
        var opened = new List<IPacketPort>();
        try
        {
            for (int i = 0; i < config.Ports.Count; i++)
            {
                opened.Add(OpenPort(config, i, (ushort)i));
            }

            return new PortSet(opened);
        }
        catch
        {
            foreach (var port in opened)
            {
                port.Dispose();
            }

            throw;
        }
    }

    private static IPacketPort OpenPort(DataplaneConfig config, int index, ushort id)
    {
        var port = config.Ports[index];
        string field = $"ports[{index}]";
        switch (port.Driver)
        {
            case "pcap":
                if (port.RxPcap is null && port.TxPcap is null)
                {
                    throw new ConfigurationException($"{field}.rxPcap", "a pcap port needs rxPcap, txPcap or both");
                }

                try
                {
                    return new PcapFilePort(id, port.Name, port.RxPcap, port.TxPcap, config.Workers);
                }
                catch (IOException e)
                {
                    throw new ConfigurationException(port.RxPcap is null ? $"{field}.txPcap" : $"{field}.rxPcap", e.Message);
                }

            case "dpdk":
                if (port.DpdkDevice is null)
                {
                    throw new ConfigurationException($"{field}.dpdkDevice", "a dpdk port needs dpdkDevice (a PCI address or a vdev name EAL knows)");
                }

                try
                {
                    return new DpdkPort(id, port.Name, port.DpdkDevice, config.Workers, DpdkEnvironment.Pool(config), port.Mtu);
                }
                catch (DpdkException e)
                {
                    throw new ConfigurationException($"{field}.dpdkDevice", e.Message);
                }

            case "libpcap":
                if (port.Interface is null)
                {
                    throw new ConfigurationException($"{field}.interface", "a libpcap port needs interface (a name libpcap lists, e.g. eth1)");
                }

                try
                {
                    return new LibpcapPort(id, port.Name, port.Interface);
                }
                catch (IOException e)
                {
                    throw new ConfigurationException($"{field}.interface", e.Message);
                }

            case "af_packet":
                if (port.Interface is null)
                {
                    throw new ConfigurationException($"{field}.interface", "an af_packet port needs interface (a kernel interface name, e.g. eth1)");
                }

                try
                {
                    return new AfPacketPort(id, port.Interface, config.Workers);
                }
                catch (AfPacketException e)
                {
                    throw new ConfigurationException($"{field}.interface", e.Message);
                }

            case null:
                throw new ConfigurationException($"{field}.driver", $"port '{port.Name}' has no driver; dataplane run needs one of: {string.Join(", ", Drivers)}");
            default:
                throw new ConfigurationException($"{field}.driver", $"unknown driver '{port.Driver}'; drivers: {string.Join(", ", Drivers)}");
        }
    }

    /// <summary>The drivers this build can open.</summary>
    public static IReadOnlyList<string> Drivers { get; } = ["pcap", "dpdk", "af_packet", "libpcap"];
}
