using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Dataplane.Host.Ctl;

/// <summary>
/// <c>dataplane ctl</c>: one control-socket method call against a running daemon (docs/control.md). Exit codes: 0 done,
/// 1 the daemon refused the request or cannot be reached, 2 bad command line.
/// </summary>
public static class CtlCommand
{
    public static int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error)
    {
        if (arguments.Count == 1 && arguments[0] is "-h" or "--help")
        {
            output.WriteLine(CtlOptions.Usage);
            return 0;
        }

        if (!CtlOptions.TryParse(arguments, out var options, out string problem))
        {
            error.WriteLine($"dataplane ctl: {problem}");
            error.WriteLine(CtlOptions.Usage);
            return 2;
        }

        if (options.Method == "events.subscribe")
        {
            return Follow(options, output, error);
        }

        JsonObject reply;
        try
        {
            reply = CtlClient.Call(options.Socket, options.Method, options.Params, TimeSpan.FromSeconds(30));
        }
        catch (SocketException e)
        {
            error.WriteLine($"dataplane ctl: cannot talk to {options.Socket}: {e.Message}. Is the daemon running, with control.socket set to this path? (--socket PATH)");
            return 1;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            error.WriteLine($"dataplane ctl: {options.Socket}: {e.Message}");
            return 1;
        }

        if (reply["error"] is JsonObject failure)
        {
            error.WriteLine($"dataplane ctl: {options.Method}: {failure["message"]} (error {failure["code"]})");
            return 1;
        }

        var result = reply["result"];
        output.WriteLine(options.Json ? CtlOutput.Json(result) : CtlOutput.Table(options.Method, result));
        return 0;
    }

    /// <summary>
    /// events.subscribe: prints each event (one JSON line) as it comes, until the daemon closes the connection, or
    /// after count=N events, or seconds=S.
    /// </summary>
    private static int Follow(CtlOptions options, TextWriter output, TextWriter error)
    {
        // Read as text: key=value parameters arrive as whatever JSON type they looked like.
        int? count = options.Params["count"] is { } c ? int.Parse(c.ToString(), CultureInfo.InvariantCulture) : null;
        double? seconds = options.Params["seconds"] is { } t ? double.Parse(t.ToString(), CultureInfo.InvariantCulture) : null;
        try
        {
            int seen = CtlClient.Follow(options.Socket, line =>
            {
                output.WriteLine(line);
                output.Flush();
            }, count, seconds is { } s ? TimeSpan.FromSeconds(s) : null);
            return 0;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            error.WriteLine($"dataplane ctl: cannot follow events on {options.Socket}: {e.Message}");
            return 1;
        }
    }
}
