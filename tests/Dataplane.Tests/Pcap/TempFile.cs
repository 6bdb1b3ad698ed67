namespace Dataplane.Tests.Pcap;

/// <summary>A temp file path that is deleted when the test is done with it.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(string extension)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dataplane-test-{Guid.NewGuid():N}{extension}");
    }

    public string Path { get; }

    public void Dispose()
    {
        if (File.Exists(Path))
        {
            File.Delete(Path);
        }
    }
}
