using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Dataplane.Control.Rest;

// The shapes of the REST API's bodies, for the generated OpenAPI document only: the handlers read and write JSON
// through ControlMethods (the socket's service.* methods), which check every field; these records say what that JSON is.

/// <summary>A TOF service: UE traffic to serviceIP is offloaded to the application at applicationIP, or balanced over a cluster.</summary>
[Description("UE traffic to serviceIP is offloaded to the application at applicationIP, or balanced over the cluster of applications (one of the two in a request; answers for a cluster give both, applicationIP being its first instance). Every application address is of the serviceIP's family, not the serviceIP, and belongs to one service. Names and serviceIPs are unique; unknown fields are refused.")]
public sealed record ServiceDocument(
    [property: JsonPropertyName("name"), Description("1..64 letters, digits, '.', '_' or '-'; not an IPv4 address")] string Name,
    [property: JsonPropertyName("serviceIP"), Description("The unicast IPv4 or IPv6 address the UEs send to")] string ServiceIp,
    [property: JsonPropertyName("applicationIP"), Description("The unicast address of the edge application behind the Apps port (or give applications)")] string? ApplicationIp = null,
    [property: JsonPropertyName("applications"), Description("A cluster instead of applicationIP: 1..64 instances; each new flow goes to one by weight and stays there")] ApplicationDocument[]? Applications = null);

/// <summary>One instance of a service's application cluster.</summary>
[Description("One instance of an application cluster")]
public sealed record ApplicationDocument(
    [property: JsonPropertyName("ip"), Description("The instance's unicast address, of the serviceIP's family")] string Ip,
    [property: JsonPropertyName("weight"), Description("Its share of new flows against the other instances' weights: 1..1000, default 1")] int? Weight = null,
    [property: JsonPropertyName("drain"), Description("true: no new flows (the flows it carries stay); default false")] bool? Drain = null);

/// <summary>The body of POST /service/{name}/drain.</summary>
[Description("The instance to drain: a current instance of the service, or one an update left out that still carries flows")]
public sealed record DrainDocument([property: JsonPropertyName("ip"), Description("The instance's address")] string Ip);

/// <summary>The answer to POST /service/{name}/drain.</summary>
[Description("The service after the drain, the instance drained and how many flows were moved off it")]
public sealed record DrainResultDocument(
    [property: JsonPropertyName("service")] ServiceDocument Service,
    [property: JsonPropertyName("ip"), Description("The instance drained")] string Ip,
    [property: JsonPropertyName("flowsMoved"), Description("Flows removed from the instance: each is balanced again at its next packet")] int FlowsMoved);

/// <summary>A GTP-U session the TOF has learned from the traffic.</summary>
[Description("A GTP-U session the TOF has learned from the traffic; a direction not seen yet is null")]
public sealed record TunnelDocument(
    [property: JsonPropertyName("ueIP"), Description("The UE's IPv4 address, or an IPv6 UE's /64 prefix")] string UeIp,
    [property: JsonPropertyName("enbAddress"), Description("The eNB/gNB's address; null until uplink traffic has been seen")] string? EnbAddress,
    [property: JsonPropertyName("uplinkTeid"), Description("The TEID of the uplink tunnel (eNB to SGW)")] uint? UplinkTeid,
    [property: JsonPropertyName("sgwAddress"), Description("The SGW/UPF's address; null until downlink traffic has been seen")] string? SgwAddress,
    [property: JsonPropertyName("downlinkTeid"), Description("The TEID of the downlink tunnel (SGW to eNB)")] uint? DownlinkTeid,
    [property: JsonPropertyName("qfi"), Description("The QoS flow of the PDU session container, when there is one")] byte? Qfi,
    [property: JsonPropertyName("lastSeen"), Description("When the tunnel last carried a packet (UTC)")] DateTimeOffset LastSeen);

/// <summary>The body of every error answer.</summary>
[Description("What is wrong, naming the field: body.serviceIP: '10.0.0.300' is not an IPv4 address (a.b.c.d)")]
public sealed record ErrorDocument([property: JsonPropertyName("error")] string Error);
