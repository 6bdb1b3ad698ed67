using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Dpdk;
using Dataplane.Runtime.Ports;
using DpdkSharp;

namespace Dataplane.Host.Dpdk;

/// <summary>
/// <c>dataplane dpdk-mbuf-check --eal "ARGS"</c>: a hidden verb for tests and bring-up. DpdkSharp reads and writes
/// the rte_mbuf fields of every packet itself, at compiled-in offsets; this verb shows that what it reads and writes
/// is what DPDK's own inline accessors (through the shim) see, on a real EAL with a net_ring device. It prints one
/// line per step, <c>label: key=value ...</c>, for the caller to judge; it judges nothing itself beyond running.
/// </summary>
/// <remarks>
/// EAL's arguments must give a looping net_ring device named <c>net_ring0</c> (<c>--vdev=net_ring0</c>: its tx ring is
/// its rx ring, so what it sends it receives).
/// </remarks>
public static class DpdkMbufCheckCommand
{
    /// <summary>The frame sent round the loop: 60 bytes, byte i = i.</summary>
    private const int FrameLength = 60;

    /// <summary>Bytes .NET prepends before sending the received frame round again (a LISP-over-IPv4 header's size).</summary>
    private const int Prepended = 36;

    /// <summary>Runs the checks with EAL started on <paramref name="eal"/> (split on spaces).</summary>
    public static int Execute(string eal, TextWriter output, TextWriter error)
    {
        try
        {
            Eal.Initialize(eal.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            var fields = MbufFieldCheck.Read();
            output.WriteLine(Line("fields", ("size", fields.Size), ("buf_addr", fields.BufferAddress), ("buf_len", fields.BufferLength),
                ("data_off", fields.DataOffset), ("nb_segs", fields.SegmentCount), ("pkt_len", fields.PacketLength),
                ("data_len", fields.DataLength), ("pool", fields.Pool), ("headroom", fields.Headroom)));
            var pool = Mempool.Create("mbuf_check_pool", 511, cache: 0);
            CheckFieldsOfOneMbuf(pool, output);
            CheckRoundTrip(pool, output);
            return 0;
        }
        catch (DpdkException e)
        {
            error.WriteLine($"dataplane dpdk-mbuf-check: {e.Message}");
            return 1;
        }
        finally
        {
            Eal.RemoveRuntimeDirectory();
        }
    }

    /// <summary>A fresh mbuf read both ways; .NET moves its frame and DPDK reads it; DPDK moves it and .NET reads it.</summary>
    private static void CheckFieldsOfOneMbuf(Mempool pool, TextWriter output)
    {
        nint mbuf = pool.Allocate();
        if (mbuf == 0)
        {
            throw new DpdkException("rte_pktmbuf_alloc_bulk of one mbuf failed");
        }

        output.WriteLine(Line("fresh", Ours(mbuf, pool), Dpdk(mbuf)));
        Mbuf.SetData(mbuf, 100, 300);
        output.WriteLine(Line("dotnet-set 100 300", Dpdk(mbuf)));
        bool prepended = DpdkMbufView.Prepend(mbuf, 20);
        output.WriteLine(Line("dpdk-prepend 20", [("ok", prepended), .. Ours(mbuf, pool)]));
        bool adjusted = DpdkMbufView.Adjust(mbuf, 50);
        output.WriteLine(Line("dpdk-adj 50", [("ok", adjusted), .. Ours(mbuf, pool)]));
        Native.Free(mbuf);
    }

    /// <summary>
    /// A frame injected into net_ring0 comes back: .NET's descriptor against DPDK's view; .NET prepends bytes and
    /// transmits it (its fields written by DpdkPort.Transmit), and it comes back again, longer.
    /// </summary>
    private static void CheckRoundTrip(Mempool pool, TextWriter output)
    {
        var frame = new byte[FrameLength];
        for (int i = 0; i < frame.Length; i++)
        {
            frame[i] = (byte)i;
        }

        using var port = new DpdkPort(0, "loop", "net_ring0", queues: 1, pool);
        using var owners = new PortSet([port]);
        var batch = new PacketBatch();
        bool injected = port.TryInject(frame);
        int received = port.Receive(0, batch);
        output.WriteLine(Line("received", [("injected", injected), ("count", received), .. Descriptor(batch, frame), .. Dpdk(batch[0].Owner)]));

        ref var packet = ref batch[0];
        packet.TryPrepend(Prepended, out var front);
        front.Fill(0xA5);
        var expected = new byte[Prepended + FrameLength];
        expected.AsSpan(0, Prepended).Fill(0xA5);
        frame.CopyTo(expected, Prepended);
        int sent = port.Transmit(0, batch.AsSpan(), owners);
        batch.Clear();
        received = port.Receive(0, batch);
        output.WriteLine(Line($"looped-prepend {Prepended}", [("sent", sent), ("count", received), .. Descriptor(batch, expected), .. Dpdk(batch[0].Owner)]));
        port.FreeBulk(batch.AsSpan());
    }

    private static (string, object)[] Ours(nint mbuf, Mempool pool) =>
    [
        ("dotnet_data_off", Mbuf.DataOffset(mbuf)), ("dotnet_data_len", Mbuf.DataLength(mbuf)), ("dotnet_pkt_len", Mbuf.PacketLength(mbuf)),
        ("dotnet_buf_len", Mbuf.BufferLength(mbuf)), ("dotnet_nb_segs", Mbuf.SegmentCount(mbuf)), ("dotnet_pool_is_ours", Mbuf.Pool(mbuf) == pool.Handle),
    ];

    private static (string, object)[] Descriptor(PacketBatch batch, byte[] expected)
    {
        if (batch.Count == 0)
        {
            return [("length", "none")];
        }

        var packet = batch[0];
        return
        [
            ("length", packet.Length), ("data_off", packet.DataOffset), ("capacity", packet.Capacity),
            ("frame_is_dpdk_mtod", Unsafe.AreSame(ref MemoryMarshal.GetReference(packet.Data), ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), DpdkMbufView.Of(packet.Owner).Frame))),
            ("bytes_as_sent", packet.Data.SequenceEqual(expected)),
        ];
    }

    private static (string, object)[] Dpdk(nint mbuf)
    {
        var view = DpdkMbufView.Of(mbuf);
        return
        [
            ("dpdk_mtod_offset", view.FrameOffset), ("dpdk_pkt_len", view.PacketLength), ("dpdk_data_len", view.DataLength),
            ("dpdk_headroom", view.Headroom), ("dpdk_check", view.Problem is null ? "ok" : view.Problem.Replace(' ', '_')),
        ];
    }

    private static string Line(string label, params (string Key, object Value)[] values) =>
        label + ": " + string.Join(' ', values.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key}={v.Value}").ToLowerInvariant()));

    private static string Line(string label, (string, object)[] first, (string, object)[] second) => Line(label, [.. first, .. second]);
}
