namespace Dataplane.Control.Socket;

/// <summary>The parameter types rpc.describe names; each is one <see cref="ParamReader"/> read.</summary>
public static class ControlParameterType
{
    public const string String = "string";

    /// <summary>An EID prefix, "[iid]prefix/len" (<see cref="ParamReader.RequiredPrefix"/>).</summary>
    public const string EidPrefix = "eid-prefix";

    /// <summary>An IPv4 or IPv6 address as a string.</summary>
    public const string Address = "ip-address";

    /// <summary>A MAC address, "02:00:00:00:00:01".</summary>
    public const string Mac = "mac";

    public const string Integer = "integer";

    public const string Boolean = "boolean";

    public const string Object = "object";

    public const string ObjectArray = "array of objects";

    public const string StringArray = "array of strings";
}
