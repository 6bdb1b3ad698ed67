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
    /// DPDK's error text when EAL refuses, or when the rte_mbuf layout is not the one <see cref="Mbuf"/> reads and
    /// writes (<see cref="MbufFieldCheck"/>); and when called a second time.
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
                MbufFieldCheck.Verify(); // before EAL: a layout .NET would misread is refused with nothing started
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

    /// <summary>
    /// Removes EAL's runtime directory (<c>/var/run/dpdk/&lt;file-prefix&gt;</c> for root), which EAL makes at init and
    /// leaves behind. For a process that is done with DPDK and shares its prefix with no other (a benchmark or check
    /// run); nothing in the directory is needed once the process's ports are closed. Returns the directory removed,
    /// or null when there was none (EAL not initialised, or already gone) or it could not be removed.
    /// </summary>
    public static string? RemoveRuntimeDirectory()
    {
        if (!IsInitialized)
        {
            return null;
        }

        string? directory = Marshal.PtrToStringUTF8((nint)Native.RuntimeDirectory());
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            return null;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
            return directory;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
