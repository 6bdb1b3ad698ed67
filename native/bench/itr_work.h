/*
 * itr_work: the per-packet work of one ITR worker in plain C, shared by the two C yardsticks so they do exactly the
 * same work: itr_baseline (a loop over in-memory frames) and itr_dpdk_forward (DPDK rx burst -> this -> tx burst
 * over net_ring cables). What one batch does is in itr_work.c's header comment; the tables are a DIR-24-8 map-cache
 * index (instance-local EID prefixes), map-cache entries with one or more weighted locators, and an underlay of one
 * default route via a gateway whose MAC sits in a neighbour table.
 *
 * Packets are worked on in place: the caller gives each frame's buffer, where it starts (data_offset, with headroom
 * in front for the outer headers) and its length; itr_batch leaves the encapsulated frame's new start and length
 * there, and a disposition saying what to do with it.
 */
#ifndef ITR_WORK_H
#define ITR_WORK_H

#include <stdint.h>

#define ITR_BATCH 256               /* most packets one itr_batch call takes */
#define ITR_OUTER_OVERHEAD (14 + 20 + 8 + 8) /* outer Ethernet, IPv4, UDP, LISP */
#define ITR_ETH_LEN 14
#define ITR_GROUP_SIZE 256
#define ITR_SELECTOR_SLOTS 64
#define ITR_NEIGHBOUR_SLOTS 64      /* power of two, open addressing */

/* What itr_batch decided for a packet. PENDING: not the ITR's (not from a local EID, or to one): it would be routed
 * natively, which is not part of this work. */
enum { ITR_PENDING, ITR_TRANSMIT, ITR_DROP, ITR_PUNT };

struct itr_packet {
    uint8_t *buffer;
    uint16_t data_offset, length, l3_offset;
    uint8_t disposition;
    uint8_t egress_port; /* the underlay port's index (itr_site.egress_port) when TRANSMIT */
};

struct itr_counters {
    uint64_t rx, tx, dropped, punted, encapsulated;
};

struct itr_locator {
    uint32_t address;
    uint8_t priority, weight, up, pad;
};

/* ---- DIR-24-8, as Ipv4LpmTable: bit 31 valid, bit 30 extended, bits 24..29 depth, bits 0..23 value. ---- */
struct itr_lpm {
    uint32_t *tbl24; /* 2^24 entries */
    uint32_t *tbl8;  /* groups of 256 */
    uint32_t groups;
    uint32_t groups_capacity;
};

/* Two or more usable best-priority locators: the 64-slot weighted table and the locators it indexes. */
struct itr_locator_set {
    uint8_t selector[ITR_SELECTOR_SLOTS];
    struct itr_locator locators[];
};

/* 32 bytes, two per cache line: the expiry and, for the common one-usable-locator case, the locator itself are
 * read from the line the batch's second pass prefetched (no dependent load into a separate locator array). */
struct itr_map_entry {
    int64_t expires_ns;             /* INT64_MAX = infinite TTL */
    struct itr_locator only;        /* the one usable locator when set is NULL */
    struct itr_locator_set *set;    /* NULL when fewer than two locators are usable */
    uint8_t negative;
    uint8_t usable;                 /* 0 = none usable (drop) */
    uint8_t pad[6];
};
_Static_assert(sizeof(struct itr_map_entry) == 32, "two map-cache entries per cache line");

struct itr_adjacency {
    uint32_t rloc; /* the RLOC this was resolved for; 0 = none yet */
    uint8_t src_mac[6], dst_mac[6];
    uint16_t mtu;
    uint8_t port;
};

/* The underlay (instance 0), as Fib.TryResolve: a DIR-24-8 FIB whose values index next hops, then the next hop's
 * MAC from a neighbour hash table, then the port's MAC and MTU. */
struct itr_next_hop {
    uint32_t gateway; /* 0 = connected: the RLOC itself is the next hop */
    uint8_t port;
};

struct itr_neighbour {
    uint32_t address; /* 0 = empty slot */
    uint8_t mac[6];
};

struct itr_port {
    uint8_t mac[6];
    uint16_t mtu;
};

struct itr_underlay {
    struct itr_lpm fib;
    struct itr_next_hop next_hops[1];
    struct itr_neighbour neighbours[ITR_NEIGHBOUR_SLOTS];
    struct itr_port ports[2];
};

/* Where the ITR stands: its site (instance, local EID prefix, RLOC) and its underlay (two ports, 0 toward the
 * EIDs and 1 toward the RLOCs, one default route via a gateway out of egress_port). */
struct itr_site {
    uint32_t instance_id;
    uint32_t local_eid_net, local_eid_mask;
    uint32_t local_rloc;
    uint32_t gateway;
    uint8_t gateway_mac[6];
    uint8_t port_macs[2][6];
    uint16_t mtu;
    uint8_t egress_port;
};

struct itr {
    struct itr_lpm lpm;
    struct itr_map_entry *entries;
    uint32_t entry_count, entry_capacity;
    uint32_t instance_id, local_eid_net, local_eid_mask, local_rloc;
    int64_t now_ns;
    uint64_t nonce_state;
    struct itr_adjacency adjacency;
    struct itr_counters counters;
    struct itr_underlay underlay;
};

/* Empty map-cache for up to capacity entries, the underlay of site; nonces from SplitMix64 seeded with 1. */
void itr_init(struct itr *itr, const struct itr_site *site, uint32_t capacity);

/* Adds the EID prefix (host order, depth 0..32) with its locators (LocatorSelector.Build picks the usable
 * best-priority ones and apportions 64 slots by weight). 0, or -1 when the map-cache is full. */
int itr_map_cache_add(struct itr *itr, uint32_t prefix, int depth, const struct itr_locator *locators, int locator_count);

/* One batch (n <= ITR_BATCH) through classify and LISP encapsulation; counters in itr->counters. */
void itr_batch(struct itr *itr, struct itr_packet *packets, int n);

/* ---- itr_baseline's generator (the C# LispEncapsulationStageBenchmarks' inputs; itr_baseline.c says which) ---- */
#define ITR_BASELINE_FRAME_LENGTH 60
#define ITR_BASELINE_MAX_PREFIXES (1u << 22)

/* Instance 7, local EIDs 10.1.0.0/24, RLOC 192.0.2.1; default route via 192.0.2.254 (02:00:00:00:ff:01) out of
 * port 1 (02:00:00:00:00:02, MTU 1500); port 0 is 02:00:00:00:00:01. */
void itr_baseline_site(struct itr_site *site);

/* The baseline's map-cache into an initialised itr with room for them: N /24s from 11.0.0.0, prefix i with the
 * one RLOC 198.51.100.(i % 250 + 1), priority 1, weight 100. */
void itr_baseline_map_cache(struct itr *itr, uint32_t prefixes);

/* itr_init with the baseline site and room for N entries, then itr_baseline_map_cache. */
void itr_baseline_tables(struct itr *itr, uint32_t prefixes);

/* Frames 0..count-1 of the baseline's draw: frame k to prefix splitmix64(42) draw k mod prefixes, host .1. */
void itr_baseline_frames(uint8_t (*frames)[ITR_BASELINE_FRAME_LENGTH], uint32_t count, uint32_t prefixes);

/* ---- shared helpers ---- */
uint64_t itr_splitmix64_next(uint64_t *state);

/* A classic pcap (LINKTYPE_ETHERNET) of the packets' frames, record i stamped i seconds. 0, or -1 (errno set). */
int itr_write_pcap(const char *path, const struct itr_packet *packets, int n);

#endif
