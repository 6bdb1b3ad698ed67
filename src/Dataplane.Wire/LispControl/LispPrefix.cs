namespace Dataplane.Wire.LispControl;

/// <summary>An EID-prefix: an address (possibly inside an Instance-ID LCAF) and the mask length of the inner address.</summary>
public readonly record struct LispPrefix(LispAddress Address, byte MaskLength)
{
    public override string ToString() => $"{Address}/{MaskLength}";
}
