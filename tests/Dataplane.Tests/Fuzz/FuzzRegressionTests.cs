using System.Text.Json;
using System.Text;
using Dataplane.Control.Rest;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Fuzz.Targets;
using Dataplane.Tables.Time;
using Dataplane.Tests.Control;
using Dataplane.Tests.Golden;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// Inputs the fuzzers found, kept as regression tests (AFL's finds are also kept as files under fuzz/regressions,
/// which <see cref="FuzzCorpusTests"/> replays). The control-socket one was JSON whose string held bytes that are not UTF-8
/// (RFC 8259 section 8.1 requires UTF-8): System.Text.Json parsed the document and only threw when a method read the
/// string, so the control socket answered -32603 "internal error" instead of a parse error. REST (JsonNode reads the
/// strings while parsing) already answered 400; its test guards that.
/// </summary>
public class FuzzRegressionTests
{
    [Fact]
    public void A_request_with_invalid_utf8_inside_a_string_is_a_parse_error_not_an_internal_error()
    {
        // service.update whose serviceIP string is "10.80.\x80.2": 0x80 is a lone continuation byte.
        byte[] request = Convert.FromHexString(
            "7B226A736F6E727063223A22322E30222C226964223A392C226D6574686F64223A22736572766963652E757064617465222C22706172616D73223A7B226E616D65223A22776562222C2273657276696365223A7B226E616D65223A22776562222C22736572766963654950223A2231302E38302E802E32222C226170706C69636174696F6E4950223A2231302E39302E302E32227D7D7D");
        var handler = new JsonRpcHandler(ScratchMethods());

        using var reply = JsonDocument.Parse(handler.Handle(request)!);

        Assert.Equal(JsonRpcErrorCodes.ParseError, reply.RootElement.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public void A_rest_body_with_invalid_utf8_inside_a_string_is_a_400()
    {
        // {"name":"web","serviceIP":"10.80.\x80.2","applicationIP":"10.90.0.2"}: the same lone continuation byte.
        byte[] body = [.. "{\"name\":\"web\",\"serviceIP\":\"10.80."u8, 0x80, .. ".2\",\"applicationIP\":\"10.90.0.2\"}"u8];
        var api = new TofRestApi(ScratchMethods());
        var headers = new Dictionary<string, string> { ["content-type"] = "application/json" };

        var response = api.Handle(new RestRequest("POST", "/service", headers, body));

        Assert.Equal(400, response.Status);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"mapcache.add","params":{"eid":"[7]10.9.0.0/16\ud800","locators":[]}}""")]
    [InlineData("""{"js\ud800onrpc":"2.0","id":2,"method":"counters.get"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":"\udc00","method":"counters.get"}""")]
    public void A_request_with_an_unpaired_surrogate_escape_is_a_parse_error_not_an_internal_error(string request)
    {
        // Found by AFL (fuzz/regressions/json-rpc): "\ud800" is valid JSON grammar, but System.Text.Json throws
        // InvalidOperationException when it reads the string, whether a method's parameter, a property name or the id.
        var handler = new JsonRpcHandler(ScratchMethods());

        using var reply = JsonDocument.Parse(handler.Handle(Encoding.UTF8.GetBytes(request))!);

        Assert.Equal(JsonRpcErrorCodes.ParseError, reply.RootElement.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData("""{"name":"web\ud800","serviceIP":"10.80.0.1","applicationIP":"10.90.0.1"}""")]
    [InlineData("""{"na\udfffme":"web","serviceIP":"10.80.0.1","applicationIP":"10.90.0.1"}""")]
    public void A_rest_body_with_an_unpaired_surrogate_escape_is_a_400(string body)
    {
        // Found by AFL (fuzz/regressions/rest): the API answered 500 (an exception escaping validation).
        var api = new TofRestApi(ScratchMethods());
        var headers = new Dictionary<string, string> { ["content-type"] = "application/json" };

        var response = api.Handle(new RestRequest("POST", "/service", headers, Encoding.UTF8.GetBytes(body)));

        Assert.Equal(400, response.Status);
    }

    [Fact]
    public void A_neighbour_solicitation_whose_payload_length_exceeds_the_advertisement_is_answered_with_a_32_byte_advertisement()
    {
        // Found by the in-process wire fuzzer (fuzz/regressions/wire/ns-payload-length-longer-than-advertisement.bin):
        // a solicitation for our address with IPv6 payload length 40 (8 bytes more than NS + source link-layer option).
        // The stage shortened the frame to the advertisement, then wrapped the IPv6 header with the checked view,
        // which refused it (payload length 40 > the 32 bytes left) and the write through the empty view threw.
        byte[] frame = File.ReadAllBytes(Path.Combine(FuzzCorpusTests.RegressionRoot, "wire", "ns-payload-length-longer-than-advertisement.bin"))[1..];
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(new GoldenCase("neighbour-discovery").ConfigPath), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
        var pipeline = plane.CreateWorker();
        using var pool = new PacketPool(PacketBatch.MaxCapacity + pipeline.Punts.Capacity, 9216, 256);
        var packet = default(PacketDescriptor);
        Assert.True(pool.TryAllocate(ref packet));
        frame.CopyTo(packet.BufferSpan[packet.DataOffset..]);
        packet.TrySetLength(frame.Length);
        var batch = new PacketBatch();
        batch.TryAdd(packet);

        pipeline.Process(batch);

        ref var reply = ref batch.AsSpan()[0];
        Assert.Equal(PacketDisposition.Transmit, reply.Disposition);
        var bytes = reply.Data;
        // RFC 4861 4.4: Neighbor Advertisement (type 136) of 24 bytes + the 8-byte target link-layer address option.
        Assert.Equal(14 + 40 + 32, bytes.Length);
        Assert.Equal(32, (bytes[18] << 8) | bytes[19]);
        Assert.Equal(136, bytes[54]);
        Assert.Equal(2, bytes[78]);
        Assert.True(plane.Counters().IsConserved);
        pool.Free(ref reply);
    }

    private static ControlMethods ScratchMethods() => ScratchControlPlane.Methods(ControlTestConfig.Config());
}
