using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof.Clusters;

/// <summary>
/// Picks the instance of a service's cluster for a new flow: Maglev consistent hashing (Eisenbud et al., NSDI 2016)
/// with weights. The lookup table (<see cref="TableSize"/> slots, one instance index per slot) is built once when the
/// service changes; a new flow reads one slot chosen by its hash, so every worker (and a restarted daemon) picks the
/// same instance for the same flow, and a change of the set moves as few flow hashes as Maglev can. Instances are
/// ordered by address before the build, so the order an operator lists them in does not matter. Draining instances
/// get no slot. With a single active instance there is no table.
/// </summary>
public sealed class TofClusterBalancer
{
    /// <summary>Slots of a cluster's table: a prime (Maglev's permutations need one), more than 1000 per instance at 64.</summary>
    public const int TableSize = 65_521;

    private const byte Empty = 0xFF;

    // The instance index (into the service's Applications) of each slot; empty with fewer than two active instances.
    private readonly byte[] slots;
    private readonly int only;

    private TofClusterBalancer(byte[] slots, int only)
    {
        this.slots = slots;
        this.only = only;
    }

    /// <summary>True when no instance takes new flows (every one is draining).</summary>
    public bool IsEmpty => only < 0 && slots.Length == 0;

    /// <summary>Builds the table of <paramref name="applications"/> (at most <see cref="TofApplication.MaxInstances"/>).</summary>
    public static TofClusterBalancer Build(IReadOnlyList<TofApplication> applications)
    {
        ArgumentNullException.ThrowIfNull(applications);
        if (applications.Count > TofApplication.MaxInstances)
        {
            throw new ArgumentException($"at most {TofApplication.MaxInstances} instances", nameof(applications));
        }

        var active = new List<int>();
        for (int i = 0; i < applications.Count; i++)
        {
            if (!applications[i].Drain)
            {
                active.Add(i);
            }
        }

        if (active.Count <= 1)
        {
            return new TofClusterBalancer([], active.Count == 1 ? active[0] : -1);
        }

        active.Sort((a, b) => Compare(applications[a].Ip, applications[b].Ip));
        return new TofClusterBalancer(Populate(applications, active), -1);
    }

    /// <summary>The instance index for a flow whose <see cref="FlowHash"/> is <paramref name="flowHash"/>; -1 when every instance is draining.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Pick(ulong flowHash)
    {
        var table = slots;
        if (table.Length == 0)
        {
            return only;
        }

        // The high 32 bits scaled to the table (Lemire's multiply-shift): no division on the learn path.
        return table[(int)(((flowHash >> 32) * (ulong)table.Length) >> 32)];
    }

    /// <summary>How many slots each instance holds (tests and the docs' figures).</summary>
    public int[] SlotCounts(int instances)
    {
        var counts = new int[instances];
        foreach (byte slot in slots)
        {
            counts[slot]++;
        }

        if (slots.Length == 0 && only >= 0)
        {
            counts[only] = TableSize;
        }

        return counts;
    }

    /// <summary>
    /// The balancing hash of a flow as the UE sent it (its address and port, the service's port, the protocol): the
    /// same on every worker and across restarts, and independent of the NAT table's own hash, so the instance a flow
    /// gets says nothing about where its entry sits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong FlowHash(UInt128 ue, ushort uePort, ushort servicePort, byte protocol)
    {
        ulong ports = ((ulong)uePort << 24) | ((ulong)servicePort << 8) | protocol;
        return Mix(Mix((ulong)ue ^ 0x6A09E667F3BCC908UL) ^ (ulong)(ue >> 64) ^ Mix(ports + 0xBB67AE8584CAA73BUL));
    }

    /// <summary>SplitMix64's finaliser: every input bit reaches every output bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>
    /// Maglev's population with weights: each instance walks its own permutation of the slots (offset and skip from
    /// its address) and takes the next free slot on its turn; an instance of weight w takes a turn in w of every
    /// maxWeight rounds, so its share of slots is its share of the weights.
    /// </summary>
    private static byte[] Populate(IReadOnlyList<TofApplication> applications, List<int> active)
    {
        int n = active.Count;
        var offset = new long[n];
        var skip = new long[n];
        var next = new long[n];
        var target = new long[n];
        int maxWeight = 0;
        for (int i = 0; i < n; i++)
        {
            UInt128 address = applications[active[i]].Ip.Value;
            ulong seed = Mix((ulong)address ^ Mix((ulong)(address >> 64) ^ (ulong)applications[active[i]].Ip.Family));
            offset[i] = (long)(seed % TableSize);
            skip[i] = (long)(Mix(seed ^ 0x3C6EF372FE94F82BUL) % (TableSize - 1)) + 1;
            maxWeight = Math.Max(maxWeight, applications[active[i]].Weight);
        }

        var table = new byte[TableSize];
        Array.Fill(table, Empty);
        int filled = 0;
        for (long round = 1; filled < TableSize; round++)
        {
            for (int i = 0; i < n && filled < TableSize; i++)
            {
                if (round * applications[active[i]].Weight < target[i])
                {
                    continue;
                }

                target[i] += maxWeight;
                long slot;
                do
                {
                    slot = (offset[i] + (next[i]++ * skip[i])) % TableSize;
                }
                while (table[slot] != Empty);

                table[slot] = (byte)active[i];
                filled++;
            }
        }

        return table;
    }

    private static int Compare(IpAddress a, IpAddress b) => a.Family != b.Family ? a.Family.CompareTo(b.Family) : a.Value.CompareTo(b.Value);
}
