using System.Text.Json;

namespace Dataplane.Control.Socket;

/// <summary>
/// Whether every string and property name of a JSON text decodes to .NET text. The JSON grammar lets a string carry
/// an escaped unpaired UTF-16 surrogate ("\ud800"; RFC 8259 section 8.2 calls the result unpredictable), and
/// System.Text.Json parses such a document but throws InvalidOperationException when the string is read: in the
/// middle of a method's validation, or while comparing a property name. The control socket and the REST API refuse
/// such text up front, as they refuse text that is not UTF-8.
/// </summary>
public static class JsonStrings
{
    /// <summary>False when some string or property name holds an unpaired surrogate escape; true otherwise, also for
    /// text that is not JSON at all (the parser that follows reports that).</summary>
    public static bool AreDecodable(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    try
                    {
                        reader.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        return false;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: not this check's business; JsonDocument.Parse / JsonNode.Parse report it with a position.
        }

        return true;
    }
}
