using Microsoft.Extensions.Hosting;

namespace Dataplane.Control.Http;

/// <summary>
/// The web host's lifetime inside the daemon: started and stopped by its owner, never by a signal. The default
/// (ConsoleLifetime) would take SIGTERM and SIGINT for itself and stop only the HTTP endpoint, leaving the daemon's
/// own shutdown and reload handling without them.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
