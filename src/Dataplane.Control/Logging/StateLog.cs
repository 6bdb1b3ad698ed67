using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Logging;

/// <summary>Persistence's messages (category <see cref="LogCategories.State"/>).</summary>
public static partial class StateLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "restored from {Directory} ({Replayed} journal entries replayed)")]
    public static partial void Restored(ILogger logger, string directory, int replayed);

    /// <summary>A torn journal line, an entry that no longer applies: reported, skipped.</summary>
    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "{Problem}")]
    public static partial void Problem(ILogger logger, string problem);
}
