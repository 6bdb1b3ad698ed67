using BenchmarkDotNet.Attributes;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Benchmarks;

/// <summary>
/// The LISP control messages (RFC 9301) as the control plane handles them, per message: parse (<c>TryParse</c> into the
/// record, records and locators included) and write (<c>Write</c> into a buffer) of a Map-Request (one ITR-RLOC, one
/// EID record, instance 7), a Map-Reply (one mapping record with two locators), a Map-Register with HMAC-SHA-256-128
/// (parse alone, and <c>TryParseVerified</c> = parse + HMAC check; writing it signed), a Map-Notify (parse, verified
/// parse) and an Encapsulated Control Message around the Map-Request (IPv4 inner header with UDP checksum: parse and
/// write). The messages are written by our own writer in setup and must parse back equal (and verify), or setup throws.
/// Compare with the map-server's need: thousands of registrations per second, so anything under ~10 us is ample.
/// </summary>
[MemoryDiagnoser]
public class LispControlCodecBenchmarks
{
    private static readonly byte[] Key = "benchmark-shared-key"u8.ToArray();
    private static readonly LispAddress EcmSource = LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.1"));
    private static readonly LispAddress EcmDestination = LispAddress.Ipv4(Ipv4Address.Parse("198.51.100.1"));
    private readonly byte[] _buffer = new byte[1500];
    private MapRequest _request = null!;
    private MapReply _reply = null!;
    private MapRegister _register = null!;
    private MapNotify _notify = null!;
    private byte[] _requestBytes = [];
    private byte[] _replyBytes = [];
    private byte[] _registerBytes = [];
    private byte[] _notifyBytes = [];
    private byte[] _ecmBytes = [];
    private Func<ushort, byte[]?> _keys = null!;

    [GlobalSetup]
    public void Setup()
    {
        var eid = new LispPrefix(LispAddress.Ipv4(Ipv4Address.Parse("10.2.0.0"), 7), 24);
        var record = new MappingRecord(1440, eid, MappingAction.NoAction, true, 0,
        [
            new LocatorRecord(1, 50, 255, 0, false, false, true, LispAddress.Ipv4(Ipv4Address.Parse("198.51.100.1"))),
            new LocatorRecord(1, 50, 255, 0, false, false, true, LispAddress.Ipv6(Ipv6Address.Parse("2001:db8:ff::1"))),
        ]);
        _request = new MapRequest(0x1122334455667788, LispAddress.Ipv4(Ipv4Address.Parse("10.1.0.10"), 7),
            [LispAddress.Ipv4(Ipv4Address.Parse("192.0.2.1"))], [eid]);
        _reply = new MapReply(0x1122334455667788, [record]);
        _register = new MapRegister(0x0102030405060708, LispAuthentication.HmacSha256_128, new byte[16], [record]) { WantMapNotify = true };
        _notify = new MapNotify(0x0102030405060708, LispAuthentication.HmacSha256_128, new byte[16], [record]);
        _keys = keyId => keyId == LispAuthentication.HmacSha256_128 ? Key : null;

        _requestBytes = _buffer.AsSpan(0, _request.Write(_buffer)).ToArray();
        _replyBytes = _buffer.AsSpan(0, _reply.Write(_buffer)).ToArray();
        _registerBytes = _buffer.AsSpan(0, _register.WriteSigned(_buffer, Key)).ToArray();
        _notifyBytes = _buffer.AsSpan(0, _notify.WriteSigned(_buffer, Key)).ToArray();
        _ecmBytes = _buffer.AsSpan(0, WriteEcm()).ToArray();

        if (!MapRequest.TryParse(_requestBytes, out var request, out string error) || request != _request
            || !MapReply.TryParse(_replyBytes, out var reply, out error) || reply != _reply
            || !MapRegister.TryParseVerified(_registerBytes, _keys, out var register, out error) || register!.Records.Count != 1
            || !MapNotify.TryParseVerified(_notifyBytes, _keys, out var notify, out error) || notify!.Records.Count != 1
            || !EncapsulatedControlHeader.TryParseEncapsulated(_ecmBytes, out var ecm, out error)
            || !ecm!.MessageIn(_ecmBytes).SequenceEqual(_requestBytes))
        {
            throw new InvalidOperationException($"a message did not parse back as written (or did not verify): {error}");
        }
    }

    [Benchmark]
    public MapRequest? MapRequestParse() => MapRequest.TryParse(_requestBytes, out var m, out _) ? m : null;

    [Benchmark]
    public int MapRequestWrite() => _request.Write(_buffer);

    [Benchmark]
    public MapReply? MapReplyParse() => MapReply.TryParse(_replyBytes, out var m, out _) ? m : null;

    [Benchmark]
    public int MapReplyWrite() => _reply.Write(_buffer);

    [Benchmark]
    public MapRegister? MapRegisterParse() => MapRegister.TryParse(_registerBytes, out var m, out _) ? m : null;

    [Benchmark]
    public MapRegister? MapRegisterParseAndVerifyHmac() => MapRegister.TryParseVerified(_registerBytes, _keys, out var m, out _) ? m : null;

    [Benchmark]
    public int MapRegisterWriteSigned() => _register.WriteSigned(_buffer, Key);

    [Benchmark]
    public MapNotify? MapNotifyParse() => MapNotify.TryParse(_notifyBytes, out var m, out _) ? m : null;

    [Benchmark]
    public MapNotify? MapNotifyParseAndVerifyHmac() => MapNotify.TryParseVerified(_notifyBytes, _keys, out var m, out _) ? m : null;

    [Benchmark]
    public EncapsulatedControlMessage? EcmParse() => EncapsulatedControlHeader.TryParseEncapsulated(_ecmBytes, out var m, out _) ? m : null;

    [Benchmark]
    public int EcmWrite() => WriteEcm();

    private int WriteEcm() => EncapsulatedControlHeader.Plain.WriteEncapsulated(_buffer, EcmSource, EcmDestination, 54321, _requestBytes);
}
