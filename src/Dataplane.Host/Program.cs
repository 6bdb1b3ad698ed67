using Dataplane.Host.Bench;
using Dataplane.Host.Ctl;
using Dataplane.Host.Dpdk;
using Dataplane.Host.Inspect;
using Dataplane.Host.Replay;
using Dataplane.Host.Run;

namespace Dataplane.Host;

/// <summary>The <c>dataplane</c> program: one verb per job.</summary>
public static class Program
{
    private const string Usage = """
        usage: dataplane COMMAND [ARGS]

        commands:
          inspect [FILE.pcap|FILE.pcapng]   name every header layer of every packet; without FILE,
                                            read the capture embedded in the program
          replay [--config F] [--in IN] [--out OUT] [--punt P] ...
                                            run a capture through the forwarding pipeline and print
                                            the counters; without arguments, the embedded xTR example
                                            (dataplane replay --help for every option)
          run --config F [--exit-when-idle S] [--duration S]
                                            the daemon: forward between the configured ports until
                                            SIGINT/SIGTERM, then print the counters
          ctl [--socket PATH] [--json] METHOD [key=value ... | --params JSON]
                                            call a method of a running daemon's control socket
                                            (mapcache.add, mapcache.list, counters.get ...; dataplane
                                            ctl --help lists them, docs/control.md describes them)
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
            "replay" when args.Length == 2 && args[1] is "-h" or "--help" => PrintReplayUsage(),
            "replay" => ReplayCommand.Run(args[1..], Console.Out, Console.Error),
            "run" => RunCommand.Run(args[1..], Console.Out, Console.Error),
            "ctl" => CtlCommand.Run(args[1..], Console.Out, Console.Error),
            // Hidden (not in the usage): a test and bring-up verb, see docs/ports/dpdk.md.
            "dpdk-forward" => DpdkForwardCommand.Run(args[1..], Console.Out, Console.Error),
            // Hidden: .NET's rte_mbuf reads and writes next to DPDK's own accessors, for tests and bring-up.
            "dpdk-mbuf-check" => DpdkMbufCheckCommand.Run(args[1..], Console.Out, Console.Error),
            // Hidden: the end-to-end DPDK benchmark bench/ports/run drives (docs/performance.md).
            "dpdk-ring-bench" => DpdkRingBenchCommand.Run(args[1..], Console.Out, Console.Error),
            _ => UnknownCommand(args[0]),
        };
    }

    private static int PrintReplayUsage()
    {
        Console.Out.WriteLine(ReplayOptions.Usage);
        return 0;
    }

    private static int UnknownCommand(string command)
    {
        Console.Error.WriteLine($"dataplane: unknown command '{command}'");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
