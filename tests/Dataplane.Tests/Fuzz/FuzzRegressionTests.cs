using System.Text;
using System.Text.Json;
using Dataplane.Control.Rest;
using Dataplane.Control.Socket;
using Dataplane.Fuzz.Targets;
using Dataplane.Tests.Control;

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

    private static ControlMethods ScratchMethods() => ScratchControlPlane.Methods(ControlTestConfig.Config());
}
