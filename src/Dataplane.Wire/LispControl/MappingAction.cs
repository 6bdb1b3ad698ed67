namespace Dataplane.Wire.LispControl;

/// <summary>The 3-bit ACT field of a mapping record (RFC 9301 section 5.4), meaningful when the locator count is 0.</summary>
public enum MappingAction : byte
{
    NoAction = 0,
    NativelyForward = 1,
    SendMapRequest = 2,
    Drop = 3,
    DropPolicyDenied = 4,
    DropAuthenticationFailure = 5,
}
