using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Wire.LispControl;

/// <summary>Random messages of every type: Write then TryParse gives an equal record, and Size is what Write wrote.</summary>
public class LispControlRoundTripTests
{
    private const int Iterations = 300;

    [Fact]
    public void Random_map_requests_round_trip()
    {
        var random = new Random(1);
        for (int i = 0; i < Iterations; i++)
        {
            var request = new MapRequest((ulong)random.NextInt64(), RandomAddress(random, allowNone: true),
                List(random, 1, 32, r => RandomAddress(r, allowNone: false, allowInstance: false)),
                List(random, 0, 4, RandomPrefix))
            {
                Authoritative = random.Next(2) == 0,
                Probe = random.Next(2) == 0,
                Smr = random.Next(2) == 0,
                Pitr = random.Next(2) == 0,
                SmrInvoked = random.Next(2) == 0,
                MapReplyRecord = random.Next(2) == 0 ? RandomRecord(random) : null,
            };
            AssertRoundTrip(request, request.Size, request.Write, (byte[] b, out MapRequest? m, out string e) => MapRequest.TryParse(b, out m, out e));
        }
    }

    [Fact]
    public void Random_map_replies_round_trip()
    {
        var random = new Random(2);
        for (int i = 0; i < Iterations; i++)
        {
            var reply = new MapReply((ulong)random.NextInt64(), List(random, 0, 4, RandomRecord))
            {
                Probe = random.Next(2) == 0,
                EchoNonceCapable = random.Next(2) == 0,
                Security = random.Next(2) == 0,
            };
            AssertRoundTrip(reply, reply.Size, reply.Write, (byte[] b, out MapReply? m, out string e) => MapReply.TryParse(b, out m, out e));
        }
    }

    [Fact]
    public void Random_registers_notifies_and_change_priorities_round_trip()
    {
        var random = new Random(3);
        for (int i = 0; i < Iterations; i++)
        {
            ushort keyId = (ushort)random.Next(3);
            byte[] auth = new byte[LispAuthentication.AuthenticationLength(keyId)];
            random.NextBytes(auth);
            var records = List(random, 0, 3, RandomRecord);
            bool xtr = random.Next(2) == 0;
            var xtrId = new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64());
            var register = new MapRegister((ulong)random.NextInt64(), keyId, auth, records)
            {
                ProxyReply = random.Next(2) == 0,
                Security = random.Next(2) == 0,
                WantMapNotify = random.Next(2) == 0,
                XtrIdPresent = xtr,
                XtrId = xtr ? xtrId : UInt128.Zero,
                SiteId = xtr ? (ulong)random.NextInt64() : 0,
            };
            AssertRoundTrip(register, register.Size, register.Write, (byte[] b, out MapRegister? m, out string e) => MapRegister.TryParse(b, out m, out e));

            var notify = new MapNotify(register.Nonce, keyId, auth, records)
            {
                IsAcknowledgement = random.Next(2) == 0,
                ForRtr = random.Next(2) == 0,
                XtrIdPresent = xtr,
                XtrId = register.XtrId,
                SiteId = register.SiteId,
            };
            AssertRoundTrip(notify, notify.Size, notify.Write, (byte[] b, out MapNotify? m, out string e) => MapNotify.TryParse(b, out m, out e));

            var cp = new ChangePriority(register.Nonce, keyId, auth, records) { H = random.Next(2) == 0, C = random.Next(2) == 0 };
            bool legacy = random.Next(2) == 0;
            AssertRoundTrip(cp, cp.SizeOf(legacy), d => cp.Write(d, legacy), (byte[] b, out ChangePriority? m, out string e) => ChangePriority.TryParse(b, out m, out e), dispatch: !legacy);
        }
    }

    [Fact]
    public void Addresses_round_trip_alone()
    {
        var random = new Random(4);
        var buffer = new byte[64];
        for (int i = 0; i < Iterations; i++)
        {
            var address = RandomAddress(random, allowNone: true);
            int written = address.Write(buffer);
            Assert.Equal(address.Size, written);
            Assert.True(LispAddress.TryParse(buffer.AsSpan(0, written), out var parsed, out int read, out string error), error);
            Assert.Equal(written, read);
            Assert.Equal(address, parsed);
        }

        Assert.Throws<ArgumentException>(() => new LispAddress(LispAfi.Lcaf, 0, null).Write(buffer));
    }

    private delegate bool Parse<T>(byte[] bytes, out T? message, out string error);

    /// <param name="dispatch">false for the legacy type-5 Change-Priority: the dispatcher reads type 5 as Map-Notify-Ack.</param>
    private static void AssertRoundTrip<T>(T message, int size, LispControlVectors.SpanWrite write, Parse<T> parse, bool dispatch = true)
        where T : class
    {
        byte[] bytes = LispControlVectors.Written(write, size);
        Assert.True(parse(bytes, out var parsed, out string error), error);
        Assert.Equal(message, parsed);
        Assert.Equal(message.GetHashCode(), parsed!.GetHashCode());
        if (dispatch)
        {
            Assert.True(LispControlMessage.TryParse(bytes, out object? dispatched, out error), error);
            Assert.Equal(message, dispatched);
        }
    }

    private static List<T> List<T>(Random random, int min, int max, Func<Random, T> item)
    {
        int count = random.Next(min, max + 1);
        var list = new List<T>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(item(random));
        }

        return list;
    }

    private static LispAddress RandomAddress(Random random, bool allowNone, bool allowInstance = true)
    {
        uint? iid = allowInstance && random.Next(3) == 0 ? (uint)random.NextInt64(0, 1L << 32) : null;
        return random.Next(allowNone ? 3 : 2) switch
        {
            0 => LispAddress.Ipv4(new Ipv4Address((uint)random.NextInt64(0, 1L << 32)), iid),
            1 => LispAddress.Ipv6(new Ipv6Address((ulong)random.NextInt64(), (ulong)random.NextInt64()), iid),
            _ => LispAddress.None with { InstanceId = iid },
        };
    }

    private static LispPrefix RandomPrefix(Random random)
    {
        var address = RandomAddress(random, allowNone: false);
        return new LispPrefix(address, (byte)random.Next(address.AddressLength * 8 + 1));
    }

    private static MappingRecord RandomRecord(Random random) => new(
        (uint)random.NextInt64(0, 1L << 32), RandomPrefix(random), (MappingAction)random.Next(6), random.Next(2) == 0,
        (ushort)random.Next(4096),
        List(random, 0, 4, r => new LocatorRecord((byte)r.Next(256), (byte)r.Next(256), (byte)r.Next(256), (byte)r.Next(256),
            r.Next(2) == 0, r.Next(2) == 0, r.Next(2) == 0, RandomAddress(r, allowNone: false, allowInstance: r.Next(4) == 0))));
}
