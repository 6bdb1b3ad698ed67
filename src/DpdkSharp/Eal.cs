using System.Runtime.InteropServices;

namespace DpdkSharp;

/// <summary>
/// DPDK's Environment Abstraction Layer. <c>rte_eal_init</c> may run only once per process (a second call fails,
/// and EAL cannot be torn down and started again), so <see cref="Initialize"/> is guarded.
/// </summary>
public static unsafe class Eal
{
    private static readonly Lock Gate = new();
    private static IReadOnlyList<string>? initializedWith;

    public static bool IsInitialized => Volatile.Read(ref initializedWith) is not null;

    /// <summary>
    /// Runs <c>rte_eal_init</c> with <paramref name="arguments"/> (EAL options, unchanged, without a program name).
    /// Throws <see cref="DpdkException"/> saying what is missing when the shim or libdpdk cannot be loaded, or with
    /// DPDK's error text when EAL refuses; and when called a second time.
    /// </summary>
    public static void Initialize(IReadOnlyList<string> arguments)
    {
        lock (Gate)
        {
            if (initializedWith is not null)
            {
                throw new DpdkException($"EAL is already initialised in this process (with: {string.Join(' ', initializedWith)}); DPDK allows that only once per process");
            }

            // EAL keeps pointers into argv (e.g. for rte_eal_get_runtime_dir), so the strings live for the process.
            int argc = arguments.Count + 1;
            var argv = (byte**)NativeMemory.AllocZeroed((nuint)(argc + 1), (nuint)sizeof(byte*));
            argv[0] = (byte*)Marshal.StringToCoTaskMemUTF8("dataplane");
            for (int i = 0; i < arguments.Count; i++)
            {
                argv[i + 1] = (byte*)Marshal.StringToCoTaskMemUTF8(arguments[i]);
            }

            int result;
            try
            {
                result = Native.EalInit(argc, argv);
            }
            catch (DllNotFoundException e)
            {
                throw new DpdkException(
                    "cannot load the DPDK shim (libdpdkshim.so) or libdpdk: install libdpdk-dev and dpdk (scripts/setup.sh does) " +
                    "and run scripts/build-native.sh, then rebuild so libdpdkshim.so is copied next to the program. " + e.Message, e);
            }
            catch (EntryPointNotFoundException e)
            {
                throw new DpdkException("libdpdkshim.so is out of date: run scripts/build-native.sh and rebuild. " + e.Message, e);
            }

            if (result < 0)
            {
                int error = Native.Errno();
                throw new DpdkException($"rte_eal_init failed: {Native.ErrorText(error)} (rte_errno {error}); EAL arguments: {string.Join(' ', arguments)}");
            }

            initializedWith = arguments.ToArray();
        }
    }
}
