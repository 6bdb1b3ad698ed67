namespace Dataplane.Ports.AfPacket;

/// <summary>An AF_PACKET port could not be opened or set up; the message says what is missing.</summary>
public sealed class AfPacketException(string message) : Exception(message);
