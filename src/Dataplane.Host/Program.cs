namespace Dataplane.Host;

/// <summary>The <c>dataplane</c> program: one verb per job.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: dataplane inspect FILE.pcap[ng]");
        return 2;
    }
}
