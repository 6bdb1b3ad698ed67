using System.Text.Json;

namespace Dataplane.Control.Socket;

/// <summary>Where acknowledged mutations go before their reply (the persistence journal).</summary>
public interface IMutationJournal
{
    /// <summary>Records a validated mutation durably; called under the mutation lock before it is applied.</summary>
    void Append(string method, JsonElement parameters);

    /// <summary>True when the journal is long enough that the state should be written as a snapshot.</summary>
    bool WantsCompaction { get; }

    /// <summary>Writes <paramref name="stateDump"/> as the snapshot and empties the journal.</summary>
    void Compact(string stateDump);
}
