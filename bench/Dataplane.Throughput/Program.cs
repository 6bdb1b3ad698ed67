namespace Dataplane.Throughput;

public static class Program
{
    public static int Main(string[] args) => Harness.Run(args, Console.Out, Console.Error);
}
