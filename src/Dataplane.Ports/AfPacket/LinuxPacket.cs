namespace Dataplane.Ports.AfPacket;

/// <summary>Constants and structure offsets from linux/if_packet.h, linux/if_ether.h and sys/socket.h (x86-64 / arm64 LP64).</summary>
internal static class LinuxPacket
{
    public const int AF_PACKET = 17;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const ushort ETH_P_ALL = 0x0003;
    public const int SOL_PACKET = 263;

    public const int PACKET_ADD_MEMBERSHIP = 1;
    public const int PACKET_RX_RING = 5;
    public const int PACKET_STATISTICS = 6;
    public const int PACKET_VERSION = 10;
    public const int PACKET_RESERVE = 12;
    public const int PACKET_TX_RING = 13;
    public const int PACKET_LOSS = 14;
    public const int PACKET_VNET_HDR = 15;
    public const int PACKET_FANOUT = 18;
    public const int PACKET_QDISC_BYPASS = 20;
    public const int PACKET_IGNORE_OUTGOING = 23;

    public const int TPACKET_V3 = 2;
    public const int PACKET_MR_PROMISC = 1;
    public const int PACKET_FANOUT_HASH = 0;
    public const int PACKET_FANOUT_FLAG_DEFRAG = 0x8000;
    public const byte PACKET_OUTGOING = 4;

    public const uint TP_STATUS_KERNEL = 0;
    public const uint TP_STATUS_USER = 1;
    public const uint TP_STATUS_CSUMNOTREADY = 0x8;
    public const uint TP_STATUS_VLAN_VALID = 0x10;
    public const uint TP_STATUS_CSUM_VALID = 0x80;
    public const uint TP_STATUS_VLAN_TPID_VALID = 0x40;

    // Transmit ring slot states (tp_status of a TX_RING frame).
    public const uint TP_STATUS_AVAILABLE = 0;
    public const uint TP_STATUS_SEND_REQUEST = 1;
    public const uint TP_STATUS_SENDING = 2;
    public const uint TP_STATUS_WRONG_FORMAT = 4;

    /// <summary>TP_STATUS_TS_SOFTWARE | TP_STATUS_TS_SYS_HARDWARE | TP_STATUS_TS_RAW_HARDWARE: timestamp flags the kernel may add to a completed slot.</summary>
    public const uint TP_STATUS_TIMESTAMP_FLAGS = 0xE000_0000;

    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 1;
    public const int MSG_DONTWAIT = 0x40;
    public const uint SIOCGIFMTU = 0x8921;

    /// <summary>sizeof(struct ifreq); the interface name (IFNAMSIZ 16 bytes) comes first, ifr_mtu right after it.</summary>
    public const int InterfaceRequestSize = 40;
    public const int InterfaceNameSize = 16;
    public const int InterfaceRequestMtuOffset = 16;

    /// <summary>An Ethernet header without a tag, and the 802.1Q tag the kernel allows beyond the MTU when a frame carries one.</summary>
    public const int EthernetHeaderLength = 14;
    public const int VlanTagLength = 4;
    public const ushort EtherTypeVlan = 0x8100;

    public const int EPERM = 1;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EINVAL = 22;
    public const int ENOBUFS = 105;

    // struct tpacket_block_desc { u32 version; u32 offset_to_priv; struct tpacket_hdr_v1 { u32 block_status; u32 num_pkts; u32 offset_to_first_pkt; ... } }
    public const int BlockStatusOffset = 8;
    public const int BlockPacketCountOffset = 12;
    public const int BlockFirstPacketOffset = 16;

    // struct tpacket3_hdr
    public const int NextOffset = 0;
    public const int SecondsOffset = 4;
    public const int NanosecondsOffset = 8;
    public const int SnapLengthOffset = 12;
    public const int WireLengthOffset = 16;
    public const int StatusOffset = 20;
    public const int MacOffset = 24;
    public const int VlanTciOffset = 32;
    public const int VlanTpidOffset = 36;

    /// <summary>TPACKET_ALIGN(sizeof(struct tpacket3_hdr)): where the struct sockaddr_ll follows the header.</summary>
    public const int AddressOffset = 48;

    /// <summary>
    /// Where a transmitted frame starts in its TX_RING slot: TPACKET3_HDRLEN minus the sockaddr_ll, as the kernel computes
    /// it without PACKET_TX_HAS_OFF (tpacket_parse_header). PACKET_RESERVE applies to receive only.
    /// </summary>
    public const int TransmitDataOffset = AddressOffset;

    /// <summary>sizeof(struct virtio_net_hdr), which leads every transmitted frame once PACKET_VNET_HDR is on; hdr_len at 2 (little-endian).</summary>
    public const int VirtioHeaderLength = 10;
    public const int VirtioHeaderLengthOffset = 2;

    /// <summary>TPACKET3_HDRLEN: header plus sockaddr_ll; the frame's own headroom starts after it.</summary>
    public const int HeaderLength = AddressOffset + 20;

    /// <summary>sll_pkttype inside struct sockaddr_ll.</summary>
    public const int AddressPacketTypeOffset = 10;

    public static ushort HostToNetwork(ushort value) => (ushort)((value >> 8) | (value << 8));
}
