using System.Security.Cryptography.X509Certificates;

namespace Dataplane.Control.Http;

/// <summary>
/// Where one of the daemon's HTTP endpoints listens and the limits Kestrel enforces on its clients.
/// </summary>
/// <param name="Setting">The configuration field the address came from ("control.restAddress"), named in startup errors.</param>
/// <param name="Host">An address, a name to resolve, or "*" for every address (IPv4 and IPv6).</param>
/// <param name="Port">The TCP port; 0 asks the kernel for a free one (tests).</param>
/// <param name="Certificate">The server certificate with its key for HTTPS; null serves plain HTTP.</param>
/// <param name="ClientTimeout">How long a client may take to send a request head, and how long an idle keep-alive connection stays open.</param>
/// <param name="MaxConnections">Connections over this many are closed as soon as they are accepted.</param>
/// <param name="MaxHeadBytes">The request line and headers together; more is answered 431.</param>
/// <param name="MaxBodyBytes">The largest request body Kestrel lets the application read.</param>
public sealed record HttpEndpointSettings(
    string Setting,
    string Host,
    int Port,
    X509Certificate2? Certificate,
    TimeSpan ClientTimeout,
    int MaxConnections,
    int MaxHeadBytes,
    long MaxBodyBytes);
