using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Dataplane.Host.Cli;

namespace Dataplane.Host.Ctl;

/// <summary>
/// <c>dataplane ctl</c>: one control-socket method call against a running daemon (docs/control.md). Exit codes: 0 done,
/// 1 the daemon refused the request or cannot be reached, 2 bad command line.
/// </summary>
public static class CtlCommand
{
    /// <summary>The verb as the command line runs it: <c>dataplane ctl</c> followed by <paramref name="arguments"/>.</summary>
    public static int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error) =>
        DataplaneCli.Invoke(["ctl", .. arguments], output, error);

    public static int Execute(CtlOptions options, TextWriter output, TextWriter error)
    {
        if (options.Method == "events.subscribe")
        {
            return Follow(options, output, error);
        }

        return Print(options, output, error, result => CtlOutput.Table(options.Method, result));
    }

    /// <summary>Calls the method and prints its result: raw JSON with --json, else as <paramref name="table"/> makes it.</summary>
    public static int Print(CtlOptions options, TextWriter output, TextWriter error, Func<JsonNode?, string> table)
    {
        if (!TryCall(options, out var result, error))
        {
            return DataplaneCli.BadInput;
        }

        output.WriteLine(options.Json ? CtlOutput.Json(result) : table(result));
        return DataplaneCli.Success;
    }

    /// <summary>Calls the method; false (with the one line that says why on <paramref name="error"/>) when the daemon is not there or refuses.</summary>
    public static bool TryCall(CtlOptions options, out JsonNode? result, TextWriter error)
    {
        result = null;
        JsonObject reply;
        try
        {
            reply = CtlClient.Call(options.Socket, options.Method, options.Params, TimeSpan.FromSeconds(30));
        }
        catch (SocketException e)
        {
            error.WriteLine(NoDaemon(options.Socket, e));
            return false;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            error.WriteLine($"dataplane ctl: {options.Socket}: {e.Message}");
            return false;
        }

        if (reply["error"] is JsonObject failure)
        {
            error.WriteLine($"dataplane ctl: {options.Method}: {failure["message"]} (error {failure["code"]})");
            return false;
        }

        result = reply["result"];
        return true;
    }

    /// <summary>
    /// The line for a socket nobody answers on. .NET reports a missing Unix socket file as "Cannot assign requested
    /// address"; the file system says what is really wrong.
    /// </summary>
    public static string NoDaemon(string socketPath, SocketException e)
    {
        string reason = !File.Exists(socketPath) ? "No such file or directory"
            : e.SocketErrorCode == SocketError.ConnectionRefused ? "Connection refused"
            : e.SocketErrorCode == SocketError.AccessDenied ? "Permission denied"
            : e.Message;
        return $"dataplane: no daemon at {socketPath} (connect: {reason}); is `dataplane run` running, with control.socket set to this path? (--socket PATH)";
    }

    /// <summary>
    /// events.subscribe: prints each event (one JSON line) as it comes, until the daemon closes the connection, or
    /// after count=N events, or seconds=S.
    /// </summary>
    private static int Follow(CtlOptions options, TextWriter output, TextWriter error)
    {
        // Read as text: key=value parameters arrive as whatever JSON type they looked like.
        int? count = null;
        double? seconds = null;
        if (options.Params["count"] is { } c)
        {
            if (!int.TryParse(c.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n <= 0)
            {
                error.WriteLine($"dataplane ctl: events.subscribe: count '{c}' is not a positive integer");
                return DataplaneCli.UsageError;
            }

            count = n;
        }

        if (options.Params["seconds"] is { } t)
        {
            if (!double.TryParse(t.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) || !double.IsFinite(s) || s <= 0)
            {
                error.WriteLine($"dataplane ctl: events.subscribe: seconds '{t}' is not a positive number");
                return DataplaneCli.UsageError;
            }

            seconds = s;
        }

        try
        {
            CtlClient.Follow(options.Socket, line =>
            {
                output.WriteLine(line);
                output.Flush();
            }, count, seconds is { } span ? TimeSpan.FromSeconds(span) : null);
            return DataplaneCli.Success;
        }
        catch (SocketException e)
        {
            error.WriteLine(NoDaemon(options.Socket, e));
            return DataplaneCli.BadInput;
        }
        catch (IOException e)
        {
            error.WriteLine($"dataplane ctl: cannot follow events on {options.Socket}: {e.Message}");
            return DataplaneCli.BadInput;
        }
    }
}
