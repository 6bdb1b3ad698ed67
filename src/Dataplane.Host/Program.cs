using Dataplane.Host.Inspect;

namespace Dataplane.Host;

/// <summary>The <c>dataplane</c> program: one verb per job.</summary>
public static class Program
{
    private const string Usage = """
        usage: dataplane COMMAND [ARGS]

        commands:
          inspect [FILE.pcap|FILE.pcapng]   name every header layer of every packet; without FILE,
                                            read the capture embedded in the program
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? Console.Error : Console.Out).WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        return args[0] switch
        {
            "inspect" => InspectCommand.Run(args[1..], Console.Out, Console.Error),
            _ => UnknownCommand(args[0]),
        };
    }

    private static int UnknownCommand(string command)
    {
        Console.Error.WriteLine($"dataplane: unknown command '{command}'");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
