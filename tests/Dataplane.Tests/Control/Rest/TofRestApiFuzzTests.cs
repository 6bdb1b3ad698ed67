using System.Net;
using System.Text.Json.Nodes;

namespace Dataplane.Tests.Control.Rest;

/// <summary>
/// Seeded random abuse of the TOF REST API beyond the hand-picked cases of <see cref="TofRestApiErrorTests"/>:
/// 200 wrong-shape bodies are each 400, 50 random wrong tokens with a valid body are each 401, and neither changes
/// anything (GET /service and the rule-state dump before equal after).
/// </summary>
public sealed class TofRestApiFuzzTests : IDisposable
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/";
    private static readonly string[] Fields = ["name", "serviceIP", "applicationIP"];
    private readonly RestApiHarness api = new();

    public void Dispose() => api.Dispose();

    [Fact]
    public async Task Two_hundred_random_wrong_shape_bodies_are_each_400_and_change_nothing()
    {
        await api.Post(RestApiHarness.Service("keep", "198.51.100.99", "10.200.0.99"));
        string before = await api.ListText();
        string dump = api.Methods.DumpState();
        var random = new Random(8);

        for (int i = 0; i < 200; i++)
        {
            string body = WrongShape(random, i);
            var method = i % 2 == 0 ? HttpMethod.Post : HttpMethod.Put;
            var (status, error) = await api.Send(method, i % 2 == 0 ? "/service" : "/service/keep", body);

            Assert.True(status == HttpStatusCode.BadRequest, $"{method} body #{i} {body}: {(int)status} {error?.ToJsonString()}");
            Assert.StartsWith("body", error!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await api.ListText());
        Assert.Equal(dump, api.Methods.DumpState());
    }

    [Fact]
    public async Task Fifty_random_wrong_tokens_are_each_401_and_change_nothing()
    {
        var random = new Random(9);
        string dump = api.Methods.DumpState();
        string valid = RestApiHarness.Service("x", "198.51.100.1", "10.200.0.1").ToJsonString();

        for (int i = 0; i < 50; i++)
        {
            string token = i % 5 == 0 ? RestApiHarness.Token[..random.Next(1, RestApiHarness.Token.Length)] : RandomText(random, 1 + random.Next(64), Alphabet);
            using var client = api.NewClient(token);
            var (status, _) = await api.Send(HttpMethod.Post, "/service", valid, client);
            Assert.True(status == HttpStatusCode.Unauthorized, $"token #{i} '{token}': {(int)status}");
        }

        Assert.Equal("[]", await api.ListText());
        Assert.Equal(dump, api.Methods.DumpState());
    }

    /// <summary>A body that is certainly not a valid service: each shape breaks the schema of docs/tof-api.md in one way.</summary>
    private static string WrongShape(Random random, int index)
    {
        var valid = RestApiHarness.Service("svc" + index, "198.51.100." + (1 + random.Next(200)), "10.200.1." + (1 + random.Next(200)));
        string field = Fields[random.Next(Fields.Length)];
        switch (random.Next(7))
        {
            case 0: // a field of the wrong JSON type
                valid[field] = random.Next(5) switch
                {
                    0 => JsonValue.Create(random.Next()),
                    1 => JsonValue.Create(random.Next(2) == 0),
                    2 => new JsonArray("198.51.100.1"),
                    3 => new JsonObject { ["address"] = "198.51.100.1" },
                    _ => null,
                };
                return valid.ToJsonString();
            case 1: // a field missing
                valid.Remove(field);
                return valid.ToJsonString();
            case 2: // an unknown field
                valid[RandomText(random, 1 + random.Next(12), "abcdefghijklmnopqrstuvwxyz")] = "x";
                return valid.ToJsonString();
            case 3: // cut short: a prefix of an object is never a whole object
                string text = valid.ToJsonString();
                return text[..random.Next(1, text.Length - 1)];
            case 4: // not an object at the top
                return random.Next(4) switch
                {
                    0 => new JsonArray(valid).ToJsonString(),
                    1 => "\"" + RandomText(random, 8, Alphabet) + "\"",
                    2 => random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => "true",
                };
            case 5: // an address that is not one
                valid[field == "name" ? "serviceIP" : field] = RandomText(random, 1 + random.Next(20), "0123456789.:x");
                return valid.ToJsonString();
            default: // printable garbage
                return "{" + RandomText(random, 1 + random.Next(100), Alphabet + "{}[]\",: ");
        }
    }

    private static string RandomText(Random random, int length, string alphabet)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }
}
