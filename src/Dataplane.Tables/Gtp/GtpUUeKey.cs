using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.Gtp;

/// <summary>The encapsulation-direction key: a UE (inner) host address in an instance / VRF.</summary>
public readonly record struct GtpUUeKey(uint InstanceId, IpAddress UeAddress);
