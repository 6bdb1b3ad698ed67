using System.Runtime.InteropServices;

namespace Dataplane.Ports.AfPacket;

/// <summary>The few libc calls the AF_PACKET port needs (packet(7), mmap(2), send(2), sendmmsg(2), ioctl(2)).</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int setsockopt(int socket, int level, int name, void* value, uint length);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int getsockopt(int socket, int level, int name, void* value, uint* length);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int bind(int socket, void* address, uint length);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int munmap(void* address, nuint length);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int sendmmsg(int socket, void* messages, uint count, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint send(int socket, void* buffer, nuint length, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint if_nametoindex(string name);

    [LibraryImport(Library)]
    internal static partial nint strerror(int errno);

    internal static string Describe(int errno) => $"{Marshal.PtrToStringUTF8(strerror(errno))} (errno {errno})";
}
