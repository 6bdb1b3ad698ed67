namespace Dataplane.Ports.AfPacket;

/// <summary>
/// The geometry of a PACKET_TX_RING: frames of <see cref="FrameSize"/> bytes packed into blocks of whole pages. The
/// kernel finds frame i at block i / FramesPerBlock, offset (i % FramesPerBlock) * FrameSize (packet_lookup_frame).
/// </summary>
internal readonly record struct TransmitRingLayout(int FrameSize, int BlockSize, int FramesPerBlock, int BlockCount)
{
    public int FrameCount => FramesPerBlock * BlockCount;

    public nuint Length => (nuint)BlockSize * (nuint)BlockCount;

    /// <summary>Blocks of the smallest page multiple that holds a frame; the frame count rounded up to whole blocks.</summary>
    public static TransmitRingLayout For(int frameSize, int frameCount, int pageSize)
    {
        var blockSize = (frameSize + pageSize - 1) / pageSize * pageSize;
        var framesPerBlock = blockSize / frameSize;
        var blockCount = (frameCount + framesPerBlock - 1) / framesPerBlock;
        return new TransmitRingLayout(frameSize, blockSize, framesPerBlock, blockCount);
    }

    public nint FrameOffset(int frame) => (nint)(frame / FramesPerBlock) * BlockSize + (nint)(frame % FramesPerBlock) * FrameSize;
}
