namespace Dataplane.Throughput;

public static class Program
{
    public static int Main(string[] args) => args.Length > 0 && args[0] == "soak"
        ? Soak.SoakProgram.Run(args[1..], Console.Out, Console.Error)
        : args.Length > 0 && args[0] == "policer"
            ? Policer.PolicerBench.Run(args[1..], Console.Out, Console.Error)
            : args.Length > 0 && args[0] == "mapserver"
                ? MapServer.MapServerBench.Run(args[1..], Console.Out, Console.Error)
                : Harness.Run(args, Console.Out, Console.Error);
}
