using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Fuzz.Targets;

/// <summary>
/// Wire headers: ClassifyStage and a role's whole pipeline over one frame. The first input byte picks the golden
/// case whose configuration (and so role: ITR, ETR, PITR, PETR, RTR, VTEP, GTP-U, ToF) receives the frame, the rest
/// is the frame, so one corpus covers every role. Every packet ends decided under a named reason, no drop is under
/// <see cref="DropReason.None"/>, conservation holds, no frame reaches outside its buffer, and no buffer leaks.
/// </summary>
public sealed class WireTarget : IFuzzTarget
{
    private const int FrameCapacity = 9216;

    private readonly Role[] roles;
    private readonly PacketBatch batch = new();

    /// <summary>A target over <paramref name="caseNames"/> (default: every golden case), read from <paramref name="repositoryRoot"/>.</summary>
    public WireTarget(string repositoryRoot, IReadOnlyList<string>? caseNames = null)
    {
        CaseNames = caseNames ?? GoldenCaseNames(repositoryRoot);
        var planes = new Dictionary<string, Role>(StringComparer.Ordinal);
        roles = new Role[CaseNames.Count];
        for (int i = 0; i < CaseNames.Count; i++)
        {
            string configText = File.ReadAllText(ConfigPath(repositoryRoot, CaseNames[i]));
            if (!planes.TryGetValue(configText, out var role))
            {
                var plane = ForwardingPlaneBuilder.Build(
                    DataplaneConfigFile.Load(ConfigPath(repositoryRoot, CaseNames[i])),
                    new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
                var pipeline = plane.CreateWorker();
                role = new Role(plane, pipeline, new PacketPool(PacketBatch.MaxCapacity + pipeline.Punts.Capacity, FrameCapacity, 256));
                planes.Add(configText, role);
            }

            roles[i] = role;
        }
    }

    public string Name => "wire";

    /// <summary>The golden cases the selector byte picks from (modulo their count).</summary>
    public IReadOnlyList<string> CaseNames { get; }

    /// <summary>Every golden case directory (one holding a config.json), in ordinal order.</summary>
    public static List<string> GoldenCaseNames(string repositoryRoot) =>
        [.. Directory.GetDirectories(Path.Combine(repositoryRoot, "pcaps", "golden"))
            .Where(d => File.Exists(Path.Combine(d, "config.json")))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>An input for this target: the frame <paramref name="frame"/> sent to golden case number <paramref name="caseIndex"/>.</summary>
    public static byte[] Input(int caseIndex, ReadOnlySpan<byte> frame) => [(byte)caseIndex, .. frame];

    public void Execute(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var role = roles[input[0] % roles.Length];
        var frame = input[1..];
        var packet = default(PacketDescriptor);
        FuzzInvariantException.Check(role.Pool.TryAllocate(ref packet), "no buffer to receive into: one leaked");
        int length = Math.Min(frame.Length, packet.Capacity - packet.DataOffset);
        frame[..length].CopyTo(packet.BufferSpan[packet.DataOffset..]);
        packet.TrySetLength(length);
        batch.Clear();
        batch.TryAdd(packet);
        role.Pipeline.Process(batch);
        role.Received++;
        foreach (ref var processed in batch.AsSpan())
        {
            FuzzInvariantException.Check(processed.IsDropped || processed.Disposition != PacketDisposition.Pending, "a packet left pending after the pipeline");
            FuzzInvariantException.Check(processed.DataOffset >= 0 && processed.DataOffset + processed.Length <= processed.Capacity, "a frame outside its buffer");
            if (processed.Disposition != PacketDisposition.Punt || processed.IsDropped)
            {
                role.Pool.Free(ref processed);
            }
        }

        while (role.Pipeline.Punts.TryDequeue(out var punted))
        {
            role.Pool.Free(ref punted);
        }

        var counters = role.Plane.Counters();
        FuzzInvariantException.Check(counters.IsConserved, "counters not conserved:\n" + counters.ToTable());
        FuzzInvariantException.Check(counters.Received == role.Received, $"received {counters.Received}, fed {role.Received}");
        FuzzInvariantException.Check(counters.Dropped(DropReason.None) == 0, "a drop without a reason");
        FuzzInvariantException.Check(role.Pool.Available == role.Pool.BufferCount, "a buffer was not returned to the pool");
    }

    private static string ConfigPath(string repositoryRoot, string caseName) =>
        Path.Combine(repositoryRoot, "pcaps", "golden", caseName, "config.json");

    /// <summary>One configuration's plane, its worker pipeline, its pool, and the frames fed to it.</summary>
    private sealed class Role(ForwardingPlane plane, ForwardingPipeline pipeline, PacketPool pool)
    {
        public ForwardingPlane Plane { get; } = plane;

        public ForwardingPipeline Pipeline { get; } = pipeline;

        public PacketPool Pool { get; } = pool;

        public long Received { get; set; }
    }
}
