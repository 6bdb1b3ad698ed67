using System.Buffers;
using System.Text;
using System.Text.Json;
using Dataplane.Control.Socket;

namespace Dataplane.Control.Persistence;

/// <summary>
/// Makes acknowledged control-socket changes survive restarts and crashes: every mutation is appended to
/// <c>journal.jsonl</c> (one line: method and params) and fsync'ed before its reply goes out; every
/// <see cref="CompactAfter"/> entries, at start and at clean shutdown the whole rule state is written to
/// <c>snapshot.json</c> (temp file, fsync, rename over, fsync the directory) and the journal is emptied.
/// At start (<see cref="Load"/>) the snapshot is restored over the configuration's state and the journal replayed on
/// top; a torn last line (the crash came mid-write, so it was never acknowledged) is ignored and reported, and an
/// entry that no longer applies is reported, not fatal.
/// </summary>
public sealed class StateStore : IMutationJournal, IDisposable
{
    public const string JournalName = "journal.jsonl";
    public const string SnapshotName = "snapshot.json";

    private readonly string directory;
    private FileStream journal;
    private int entries;

    public StateStore(string directory, int compactAfter = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(compactAfter);
        this.directory = directory;
        CompactAfter = compactAfter;
        Directory.CreateDirectory(directory);
        journal = OpenJournal();
    }

    public int CompactAfter { get; }

    public string JournalPath => Path.Combine(directory, JournalName);

    public string SnapshotPath => Path.Combine(directory, SnapshotName);

    /// <summary>Journal entries since the last snapshot.</summary>
    public int Entries => entries;

    public bool WantsCompaction => entries >= CompactAfter;

    /// <summary>Restores the snapshot, replays the journal, then compacts (so the next append never follows a torn line). Returns entries replayed.</summary>
    public int Load(ControlMethods methods, Action<string> report)
    {
        int replayed = StateReplay.Replay(directory, methods, report);
        Compact(methods.DumpState());
        return replayed;
    }

    public void Append(string method, JsonElement parameters)
    {
        var line = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(line))
        {
            writer.WriteStartObject();
            writer.WriteString("method", method);
            writer.WritePropertyName("params");
            parameters.WriteTo(writer);
            writer.WriteEndObject();
        }

        line.Write("\n"u8);
        journal.Write(line.WrittenSpan);
        journal.Flush(flushToDisk: true);
        entries++;
    }

    public void Compact(string stateDump)
    {
        string temporary = SnapshotPath + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(Encoding.UTF8.GetBytes(stateDump));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, SnapshotPath, overwrite: true);
        DirectorySync.Sync(directory);

        // Only now may the journal go: the snapshot holds everything it said.
        journal.SetLength(0);
        journal.Seek(0, SeekOrigin.Begin);
        journal.Flush(flushToDisk: true);
        entries = 0;
    }

    public void Dispose() => journal.Dispose();

    private FileStream OpenJournal()
    {
        var stream = new FileStream(JournalPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }
}
