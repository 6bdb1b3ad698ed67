namespace DpdkSharp;

/// <summary>DPDK could not be loaded or set up; the message says what failed and what to do.</summary>
public sealed class DpdkException(string message, Exception? inner = null) : Exception(message, inner);
