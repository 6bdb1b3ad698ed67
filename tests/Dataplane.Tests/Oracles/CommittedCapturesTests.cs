namespace Dataplane.Tests.Oracles;

/// <summary>The captures in pcaps/ are exactly what Scapy makes from pcaps/generate.py, so they are an independent oracle.</summary>
public sealed class CommittedCapturesTests : IDisposable
{
    private readonly string _outputDirectory = Directory.CreateTempSubdirectory("dataplane-pcaps-").FullName;

    [Fact]
    public void Regenerating_with_scapy_reproduces_every_committed_capture()
    {
        ScapyOracle.Run(Path.Combine(RepositoryPaths.Root, "pcaps", "generate.py"), _outputDirectory);

        string[] generated = Directory.GetFiles(_outputDirectory).Select(Path.GetFileName).OfType<string>().Order().ToArray();
        Assert.Contains("mixed.pcap", generated);
        Assert.Contains("mixed.pcapng", generated);
        foreach (string name in generated)
        {
            Assert.True(File.Exists(RepositoryPaths.Pcap(name)), $"{name} is generated but not committed in pcaps/");
            Assert.True(
                File.ReadAllBytes(RepositoryPaths.Pcap(name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(_outputDirectory, name))),
                $"pcaps/{name} differs from what pcaps/generate.py makes: regenerate with /usr/bin/python3 pcaps/generate.py");
        }
    }

    [Fact]
    public void Mixed_capture_dissects_cleanly_in_tshark()
    {
        Assert.Empty(TsharkOracle.Problems(RepositoryPaths.Pcap("mixed.pcap")));
        Assert.NotEmpty(TsharkOracle.Problems(RepositoryPaths.Pcap("malformed.pcap")));
    }

    public void Dispose() => Directory.Delete(_outputDirectory, recursive: true);
}
