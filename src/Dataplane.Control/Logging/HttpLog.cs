using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Logging;

/// <summary>The HTTP endpoints' messages: the TOF REST API (category <see cref="LogCategories.Rest"/>) and the metrics endpoint (<see cref="LogCategories.Metrics"/>).</summary>
public static partial class HttpLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "{Method} {Params}")]
    public static partial void MutationAccepted(ILogger logger, string method, string @params);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "{Method} refused: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "{Method} failed: {ExceptionType}: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string method, string exceptionType, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "TOF API on {Scheme}://{Address}/ (OpenAPI at /openapi.json)")]
    public static partial void RestServing(ILogger logger, string scheme, string address);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "this data plane has no TOF (role tof); /service and /tunnel answer 503")]
    public static partial void RestWithoutTof(ILogger logger);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "metrics on {Scheme}://{Address}/metrics")]
    public static partial void MetricsServing(ILogger logger, string scheme, string address);
}
