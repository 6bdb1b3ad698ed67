namespace Dataplane.Ports.Pcap;

/// <summary>Outcome of reading from a capture file.</summary>
public enum CaptureReadResult
{
    /// <summary>A packet was read (for a batch: the batch filled up, more may follow).</summary>
    Packet,

    /// <summary>The file ended cleanly, at a record or block boundary.</summary>
    EndOfFile,

    /// <summary>The file is malformed; <see cref="CaptureReader.Error"/> says where and why. Sticky.</summary>
    Error,

    /// <summary>The pool had no free buffer. Nothing was consumed: free some packets and read again.</summary>
    NoBuffer,
}
