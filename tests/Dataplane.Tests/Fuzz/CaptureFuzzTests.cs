using Dataplane.Fuzz.Targets;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// The pcap and pcapng readers over mutated capture files (the committed pcaps as seeds), through the same
/// <see cref="CaptureTarget"/> AFL runs: the reader either refuses to open with an error, or reads records until end
/// of file or a named error; nothing throws, every frame lies inside its buffer, and every buffer goes back to the pool.
/// </summary>
public class CaptureFuzzTests
{
    public static List<byte[]> Seeds(string extension) =>
        Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "pcaps"), "*" + extension)
            .Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "pcaps", "golden"), "input" + extension, SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(6))
            .Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();

    [Theory]
    [InlineData(".pcap")]
    [InlineData(".pcapng")]
    public void The_capture_reader_survives_mutated_files(string extension)
    {
        var target = new CaptureTarget();
        FuzzBudget.Run("capture" + extension, Seeds(extension), 30_000, input => target.Execute(input));

        Assert.True(target.Records > 0, "the seed captures must yield records");
    }
}
