/*
 * itr_baseline: the C yardstick for the C# ITR. A plain C loop doing what one worker's
 * ForwardingPipeline.Process does for the LispEncapsulationStageBenchmarks "v4-over-v4" case, on the same
 * packets and the same kind of tables:
 *
 *   per batch of 256: restore every frame (reset the data offset to the headroom, copy the 60-byte template),
 *   then per packet: classify Ethernet/IPv4/UDP (bounds and header sanity as ClassifyStage), local-EID source
 *   check and local-EID destination check (instance 7, 10.1.0.0/24), DIR-24-8 lookup of the destination
 *   (the layout of src/Dataplane.Tables/Lpm/Ipv4LpmTable.cs), map-cache entry (expiry, negative check), CRC32C
 *   5-tuple flow hash + murmur3 fmix32 (FlowHash.cs), locator by the entry's 64-slot weighted table
 *   (LocatorSelector.cs; a single locator short-cuts the table as in C#), underlay adjacency cached for the
 *   last RLOC (UnderlayResolver), TTL <= 1 and MTU checks, inner TTL decrement with an RFC 1624 incremental
 *   checksum update, Ethernet padding cut, outer Ethernet / IPv4 (DF, TTL and TOS copied, checksum summed from
 *   the field values) / UDP (source port from the flow hash, checksum 0) / LISP (N and I bits, nonce from
 *   SplitMix64 seeded with 1, instance id 7) written into the headroom, disposition transmit, counters.
 *
 * Inputs (the generator; the C# benchmark's, so the harness can use both on the same packets):
 *   - prefixes: N /24 EID prefixes in instance 7, prefix i = 11.0.0.0 + (i << 8), i = 0..N-1
 *     (LispEncapsulationStageBenchmarks.Setup), each with one RLOC 198.51.100.(i % 250 + 1), priority 1,
 *     weight 100: 250 distinct RLOCs.
 *   - packets: F frames (--frames, default 256 = one batch; the C# throughput harness uses 16384), each batch takes
 *     the next 256 of them, cycling. Ethernet 02:00:00:00:00:10 -> 02:00:00:00:00:01 / IPv4 10.1.0.10 -> target + 1,
 *     TTL 64, no DF / UDP 5000 -> 5001 / 18 zero bytes of payload: 60 bytes (64 on the wire with the FCS).
 *     target = prefix index k = splitmix64_next(&s) % N, s starting at 42, one draw per frame in frame order.
 *     (The C# benchmark draws with new Random(42).Next(N); a harness that wants byte-identical frames in both
 *     should switch it to this SplitMix64 draw.)
 *   - underlay: our RLOC 192.0.2.1; a DIR-24-8 FIB with one default route via 192.0.2.254 out of port 1
 *     (02:00:00:00:00:02, MTU 1500), the gateway's MAC 02:00:00:00:ff:01 in a neighbour hash table; resolved
 *     (FIB lookup + neighbour probe) whenever the RLOC differs from the previous packet's, as UnderlayResolver.
 *
 * Usage: itr_baseline [--prefixes N] [--frames F] [--seconds S] [--runs R] [--json] [--dump FILE.pcap]
 * Build: scripts/build-native.sh (native/bench/CMakeLists.txt, -O2 -msse4.2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <nmmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 256
#define BUFFER_SIZE 2048
#define HEADROOM 128
#define FRAME_LENGTH 60
#define ETH_LEN 14
#define OUTER_OVERHEAD (14 + 20 + 8 + 8)
#define SELECTOR_SLOTS 64
#define GROUP_SIZE 256
#define INSTANCE_ID 7u
#define LOCAL_EID_NET 0x0A010000u /* 10.1.0.0/24 */
#define LOCAL_EID_MASK 0xFFFFFF00u
#define LOCAL_RLOC 0xC0000201u /* 192.0.2.1 */
#define RLOC_BASE 0xC6336400u  /* 198.51.100.0 */
#define RLOC_COUNT 250
#define PREFIX_BASE 0x0B000000u /* 11.0.0.0 */
#define MTU 1500

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- DIR-24-8, as Ipv4LpmTable: bit 31 valid, bit 30 extended, bits 24..29 depth, bits 0..23 value. ---- */
#define LPM_VALID (1u << 31)
#define LPM_EXTENDED (1u << 30)
#define LPM_VALUE_MASK 0xFFFFFFu

struct lpm {
    uint32_t *tbl24; /* 2^24 entries */
    uint32_t *tbl8;  /* groups of 256 */
    uint32_t groups;
    uint32_t groups_capacity;
};

static void lpm_init(struct lpm *t)
{
    t->tbl24 = calloc((size_t)1 << 24, sizeof(uint32_t));
    t->groups_capacity = 256;
    t->tbl8 = calloc((size_t)t->groups_capacity * GROUP_SIZE, sizeof(uint32_t));
    t->groups = 0;
    if (!t->tbl24 || !t->tbl8) {
        fprintf(stderr, "itr_baseline: out of memory\n");
        exit(1);
    }
}

static uint32_t lpm_entry(int depth, uint32_t value) { return LPM_VALID | ((uint32_t)depth << 24) | value; }
static int lpm_depth(uint32_t e) { return (int)((e >> 24) & 0x3F); }
static int lpm_owns(uint32_t e, int depth) { return !(e & LPM_VALID) || lpm_depth(e) <= depth; }

/* Add only (the benchmark never removes): the same entries Ipv4LpmTable.Add writes. */
static void lpm_add(struct lpm *t, uint32_t prefix, int depth, uint32_t value)
{
    uint32_t mask = depth == 0 ? 0 : 0xFFFFFFFFu << (32 - depth);
    uint32_t key = prefix & mask;
    uint32_t entry = lpm_entry(depth, value);
    if (depth <= 24) {
        uint32_t first = key >> 8, end = first + (1u << (24 - depth));
        for (uint32_t i = first; i < end; i++) {
            uint32_t e = t->tbl24[i];
            if (e & LPM_EXTENDED) {
                uint32_t *g = t->tbl8 + (size_t)(e & LPM_VALUE_MASK) * GROUP_SIZE;
                for (int j = 0; j < GROUP_SIZE; j++)
                    if (lpm_owns(g[j], depth))
                        g[j] = entry;
            } else if (lpm_owns(e, depth)) {
                t->tbl24[i] = entry;
            }
        }
        return;
    }
    uint32_t index = key >> 8, start = key & 0xFF, count = 1u << (32 - depth);
    uint32_t top = t->tbl24[index];
    uint32_t *g;
    if (!(top & LPM_EXTENDED)) {
        if (t->groups == t->groups_capacity) {
            t->groups_capacity *= 2;
            t->tbl8 = realloc(t->tbl8, (size_t)t->groups_capacity * GROUP_SIZE * sizeof(uint32_t));
            if (!t->tbl8) {
                fprintf(stderr, "itr_baseline: out of memory\n");
                exit(1);
            }
        }
        uint32_t group = t->groups++;
        g = t->tbl8 + (size_t)group * GROUP_SIZE;
        for (int j = 0; j < GROUP_SIZE; j++)
            g[j] = top;
        t->tbl24[index] = LPM_EXTENDED | group;
    } else {
        g = t->tbl8 + (size_t)(top & LPM_VALUE_MASK) * GROUP_SIZE;
    }
    for (uint32_t j = start; j < start + count; j++)
        if (lpm_owns(g[j], depth))
            g[j] = entry;
}

static inline int lpm_lookup(const struct lpm *t, uint32_t a, uint32_t *value)
{
    uint32_t e = t->tbl24[a >> 8];
    if (e & LPM_EXTENDED)
        e = t->tbl8[(size_t)(e & LPM_VALUE_MASK) * GROUP_SIZE + (a & 0xFF)];
    *value = e & LPM_VALUE_MASK;
    return (e & LPM_VALID) != 0;
}

/* ---- map-cache entries, indexed by the LPM value (as MapCacheView's slots). ---- */
struct locator {
    uint32_t address;
    uint8_t priority, weight, up, pad;
};

/* Two or more usable best-priority locators: the 64-slot weighted table and the locators it indexes. */
struct locator_set {
    uint8_t selector[SELECTOR_SLOTS];
    struct locator locators[];
};

/* 32 bytes, two per cache line: the expiry and, for the common one-usable-locator case, the locator itself are
 * read from the line the batch's second pass prefetched (no dependent load into a separate locator array). */
struct map_entry {
    int64_t expires_ns;        /* INT64_MAX = infinite TTL */
    struct locator only;       /* the one usable locator when set is NULL */
    struct locator_set *set;   /* NULL when fewer than two locators are usable */
    uint8_t negative;
    uint8_t usable;            /* 0 = none usable (drop) */
    uint8_t pad[6];
};
_Static_assert(sizeof(struct map_entry) == 32, "two map-cache entries per cache line");

/* LocatorSelector.Build: lowest usable priority, largest-remainder apportionment of 64 slots by weight. */
static void selector_build(struct map_entry *e, const struct locator *locators, int locator_count)
{
    int best = 256;
    for (int i = 0; i < locator_count; i++)
        if (locators[i].up && locators[i].priority < 255 && locators[i].priority < best)
            best = locators[i].priority;
    uint8_t chosen[256];
    int count = 0;
    long weight_sum = 0;
    for (int i = 0; i < locator_count; i++)
        if (locators[i].up && locators[i].priority == best) {
            chosen[count++] = (uint8_t)i;
            weight_sum += locators[i].weight;
        }
    e->set = NULL;
    e->usable = count > 0;
    if (count < 2) {
        if (count == 1)
            e->only = locators[chosen[0]];
        return;
    }
    int slots[256];
    long remainders[256];
    int assigned = 0;
    for (int k = 0; k < count; k++) {
        long w = weight_sum == 0 ? 1 : locators[chosen[k]].weight;
        long total = weight_sum == 0 ? count : weight_sum;
        slots[k] = (int)(w * SELECTOR_SLOTS / total);
        remainders[k] = w == 0 ? -1 : (w * SELECTOR_SLOTS) % total;
        assigned += slots[k];
    }
    while (assigned < SELECTOR_SLOTS) {
        int largest = 0;
        for (int k = 1; k < count; k++)
            if (remainders[k] > remainders[largest])
                largest = k;
        slots[largest]++;
        remainders[largest] = -1;
        assigned++;
    }
    size_t bytes = sizeof(struct locator_set) + sizeof(struct locator) * (size_t)locator_count;
    struct locator_set *set = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!set) {
        fprintf(stderr, "itr_baseline: out of memory\n");
        exit(1);
    }
    memcpy(set->locators, locators, sizeof(struct locator) * (size_t)locator_count);
    int next = 0;
    for (int k = 0; k < count; k++)
        for (int s = 0; s < slots[k]; s++)
            set->selector[next++] = chosen[k];
    e->set = set;
}

/* ---- hashing, nonces, checksums ---- */
static inline uint32_t fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

/* FlowHash.Hash(Ipv4...): CRC32C over (src << 32 | dst), then (proto << 32 | sport << 16 | dport), fmix32. */
static inline uint32_t flow_hash_v4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
    uint64_t crc = _mm_crc32_u64(0x9E3779B9u, ((uint64_t)src << 32) | dst);
    crc = _mm_crc32_u64(crc, ((uint64_t)proto << 32) | ((uint32_t)sport << 16) | dport);
    return fmix32((uint32_t)crc);
}

static inline uint64_t splitmix64_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint32_t fold(uint32_t sum)
{
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return sum;
}

static uint16_t checksum(const uint8_t *p, int n)
{
    uint32_t sum = 0;
    for (int i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return (uint16_t)~fold(sum);
}

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p) { return __builtin_bswap32(*(const uint32_t *)(const void *)p); }
static inline void wr16(uint8_t *p, uint16_t v) { *(uint16_t *)(void *)p = __builtin_bswap16(v); }
static inline void wr32(uint8_t *p, uint32_t v) { *(uint32_t *)(void *)p = __builtin_bswap32(v); }

/* ---- packets ---- */
struct packet {
    uint8_t *buffer;
    uint16_t data_offset, length, l3_offset;
    uint8_t disposition; /* 0 pending, 1 transmit, 2 drop, 3 punt */
    uint8_t egress_port;
};

enum { PENDING, TRANSMIT, DROP, PUNT };

struct counters {
    uint64_t rx, tx, dropped, punted, encapsulated;
};

struct adjacency {
    uint32_t rloc; /* the RLOC this was resolved for; 0 = none yet */
    uint8_t src_mac[6], dst_mac[6];
    uint16_t mtu;
    uint8_t port;
};

struct itr {
    struct lpm lpm;
    struct map_entry *entries;
    int64_t now_ns;
    uint64_t nonce_state;
    struct adjacency adjacency;
    struct counters counters;
};

/* The underlay (instance 0), as Fib.TryResolve: a DIR-24-8 FIB whose values index next hops, then the next hop's
 * MAC from a neighbour hash table, then the port's MAC and MTU. The benchmark's FIB is one default route via
 * 192.0.2.254 out of port 1. */
#define NEIGHBOUR_SLOTS 64 /* power of two, open addressing */

struct next_hop {
    uint32_t gateway;
    uint8_t port;
};

struct neighbour {
    uint32_t address; /* 0 = empty slot */
    uint8_t mac[6];
};

struct port {
    uint8_t mac[6];
    uint16_t mtu;
};

struct underlay {
    struct lpm fib;
    struct next_hop next_hops[1];
    struct neighbour neighbours[NEIGHBOUR_SLOTS];
    struct port ports[2];
};

static struct underlay underlay;

static void build_underlay(void)
{
    static const uint8_t port_macs[2][6] = {{0x02, 0, 0, 0, 0, 0x01}, {0x02, 0, 0, 0, 0, 0x02}};
    static const uint8_t gateway_mac[6] = {0x02, 0, 0, 0, 0xff, 0x01};
    lpm_init(&underlay.fib);
    lpm_add(&underlay.fib, 0, 0, 0);
    underlay.next_hops[0] = (struct next_hop){.gateway = 0xC00002FEu, .port = 1};
    for (int p = 0; p < 2; p++) {
        memcpy(underlay.ports[p].mac, port_macs[p], 6);
        underlay.ports[p].mtu = MTU;
    }
    uint32_t slot = fmix32(0xC00002FEu) & (NEIGHBOUR_SLOTS - 1);
    underlay.neighbours[slot].address = 0xC00002FEu;
    memcpy(underlay.neighbours[slot].mac, gateway_mac, 6);
}

static int resolve_underlay(uint32_t rloc, struct adjacency *adj)
{
    uint32_t value;
    if (!lpm_lookup(&underlay.fib, rloc, &value))
        return 0;
    const struct next_hop *hop = &underlay.next_hops[value];
    uint32_t next = hop->gateway ? hop->gateway : rloc; /* 0 = connected: the RLOC itself */
    for (uint32_t slot = fmix32(next) & (NEIGHBOUR_SLOTS - 1), probes = 0; probes < NEIGHBOUR_SLOTS;
         slot = (slot + 1) & (NEIGHBOUR_SLOTS - 1), probes++) {
        const struct neighbour *n = &underlay.neighbours[slot];
        if (n->address == next) {
            adj->rloc = rloc;
            memcpy(adj->dst_mac, n->mac, 6);
            memcpy(adj->src_mac, underlay.ports[hop->port].mac, 6);
            adj->mtu = underlay.ports[hop->port].mtu;
            adj->port = hop->port;
            return 1;
        }
        if (n->address == 0)
            break;
    }
    return 0;
}

static inline void drop(struct packet *p, struct counters *c)
{
    p->disposition = DROP;
    c->dropped++;
}

/* One packet through classify + LISP encapsulation; the routing stage has nothing left to do after it. */
static inline void itr_packet(struct itr *itr, struct packet *p, uint32_t dst, const uint32_t *lpm_value, int hit)
{
    struct counters *c = &itr->counters;
    uint8_t *frame = p->buffer + p->data_offset;
    uint8_t *ip = frame + ETH_LEN;
    /* classify: Ethernet, IPv4 header, UDP header (ClassifyStage; dst was read by the caller after the same checks) */
    uint32_t src = rd32(ip + 12);
    uint8_t proto = ip[9];
    uint8_t ttl = ip[8];
    int ihl = (ip[0] & 0x0F) * 4;
    int total = rd16(ip + 2);
    const uint8_t *l4 = ip + ihl;
    uint16_t sport = 0, dport = 0;
    int fragment_offset = rd16(ip + 6) & 0x1FFF;
    if ((proto == 17 || proto == 6) && fragment_offset == 0 && total - ihl >= 4) {
        sport = rd16(l4);
        dport = rd16(l4 + 2);
    }
    /* ITR: only packets from our site; not to our site */
    if ((src & LOCAL_EID_MASK) != LOCAL_EID_NET)
        return;
    if ((dst & LOCAL_EID_MASK) == LOCAL_EID_NET)
        return;
    if (UNLIKELY(!hit)) {
        p->disposition = PUNT;
        c->punted++;
        return;
    }
    const struct map_entry *entry = &itr->entries[*lpm_value];
    if (UNLIKELY(entry->expires_ns <= itr->now_ns)) {
        p->disposition = PUNT;
        c->punted++;
        return;
    }
    if (UNLIKELY(entry->negative)) {
        drop(p, c);
        return;
    }
    uint32_t hash = flow_hash_v4(src, dst, proto, sport, dport);
    if (UNLIKELY(!entry->usable)) {
        drop(p, c);
        return;
    }
    uint32_t rloc = LIKELY(entry->set == NULL) ? entry->only.address
                                               : entry->set->locators[entry->set->selector[hash & (SELECTOR_SLOTS - 1)]].address;
    if (UNLIKELY(itr->adjacency.rloc != rloc) && !resolve_underlay(rloc, &itr->adjacency)) {
        drop(p, c);
        return;
    }
    const struct adjacency *adj = &itr->adjacency;
    if (UNLIKELY(ttl <= 1)) {
        drop(p, c);
        return;
    }
    if (UNLIKELY(total + (OUTER_OVERHEAD - ETH_LEN) > adj->mtu)) {
        drop(p, c); /* the C# stage would build an ICMP too-big; never taken here */
        return;
    }
    /* TTL decrement, RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') with the TTL/protocol word */
    ttl--;
    ip[8] = ttl;
    uint32_t sum = (uint16_t)~rd16(ip + 10) + (uint16_t)~(((uint32_t)(ttl + 1) << 8) | proto) + (((uint32_t)ttl << 8) | proto);
    wr16(ip + 10, (uint16_t)~fold(sum));

    /* cut Ethernet padding, then prepend the outer headers in the headroom (36 bytes more than the inner Ethernet) */
    uint8_t tos = ip[1];
    int inner_length = total < p->length - ETH_LEN ? total : p->length - ETH_LEN;
    if (UNLIKELY(p->data_offset + ETH_LEN < OUTER_OVERHEAD)) {
        drop(p, c);
        return;
    }
    p->data_offset = (uint16_t)(p->data_offset + ETH_LEN - OUTER_OVERHEAD);
    p->length = (uint16_t)(inner_length + OUTER_OVERHEAD);
    uint8_t *o = p->buffer + p->data_offset;
    memcpy(o, adj->dst_mac, 6);
    memcpy(o + 6, adj->src_mac, 6);
    wr16(o + 12, 0x0800);
    uint8_t *oip = o + ETH_LEN;
    uint16_t ip_total = (uint16_t)(20 + 8 + 8 + inner_length);
    oip[0] = 0x45;
    oip[1] = tos;
    wr16(oip + 2, ip_total);
    wr16(oip + 4, 0);
    wr16(oip + 6, 0x4000); /* DF */
    oip[8] = ttl;
    oip[9] = 17;
    wr32(oip + 12, LOCAL_RLOC);
    wr32(oip + 16, rloc);
    uint32_t ipsum = 0x4500u + tos + ip_total + 0x4000u + ((uint32_t)ttl << 8) + 17u
                   + (LOCAL_RLOC >> 16) + (LOCAL_RLOC & 0xFFFF) + (rloc >> 16) + (rloc & 0xFFFF);
    wr16(oip + 10, (uint16_t)~fold(ipsum));
    uint8_t *udp = oip + 20;
    wr16(udp, (uint16_t)(49152u | (hash >> 18)));
    wr16(udp + 2, 4341);
    wr16(udp + 4, (uint16_t)(8 + 8 + inner_length));
    wr16(udp + 6, 0);
    uint8_t *lisp = udp + 8;
    uint32_t nonce = (uint32_t)splitmix64_next(&itr->nonce_state) & 0xFFFFFF;
    wr32(lisp, 0x88000000u | nonce);           /* N and I flags, 24-bit nonce (RFC 9300 section 5.3) */
    wr32(lisp + 4, INSTANCE_ID << 8);          /* instance id, LSBs 0 */
    p->l3_offset = (uint16_t)(p->data_offset + ETH_LEN);
    p->disposition = TRANSMIT;
    p->egress_port = adj->port;
    c->tx++;
    c->encapsulated++;
}

/* Classify checks that guard reading the destination; 0 = dropped as malformed / not IPv4. */
static inline int classify(struct packet *p, struct counters *c)
{
    const uint8_t *f = p->buffer + p->data_offset;
    if (UNLIKELY(p->length < ETH_LEN + 20 || rd16(f + 12) != 0x0800)) {
        drop(p, c);
        return 0;
    }
    const uint8_t *ip = f + ETH_LEN;
    int ihl = (ip[0] & 0x0F) * 4, total = rd16(ip + 2), available = p->length - ETH_LEN;
    if (UNLIKELY((ip[0] >> 4) != 4 || ihl < 20 || total < ihl || total > available)) {
        drop(p, c);
        return 0;
    }
    if (ip[9] == 17 && (rd16(ip + 6) & 0x1FFF) == 0) {
        if (UNLIKELY(total - ihl < 8 || rd16(ip + ihl + 4) < 8 || rd16(ip + ihl + 4) > total - ihl)) {
            drop(p, c);
            return 0;
        }
    }
    p->l3_offset = (uint16_t)(p->data_offset + ETH_LEN);
    return 1;
}

/* The batch: three passes so the DIR-24-8 and map-cache misses of different packets overlap. */
static void itr_batch(struct itr *itr, struct packet *packets, int n)
{
    uint32_t dst[BATCH], value[BATCH];
    uint8_t ok[BATCH], hit[BATCH];
    struct counters *c = &itr->counters;
    c->rx += (uint64_t)n;
    for (int i = 0; i < n; i++) {
        ok[i] = (uint8_t)classify(&packets[i], c);
        dst[i] = ok[i] ? rd32(packets[i].buffer + packets[i].l3_offset + 16) : 0;
        __builtin_prefetch(&itr->lpm.tbl24[dst[i] >> 8]);
    }
    for (int i = 0; i < n; i++) {
        hit[i] = (uint8_t)(ok[i] && lpm_lookup(&itr->lpm, dst[i], &value[i]));
        if (hit[i])
            __builtin_prefetch(&itr->entries[value[i]]);
    }
    for (int i = 0; i < n; i++) {
        if (ok[i])
            itr_packet(itr, &packets[i], dst[i], &value[i], hit[i]);
    }
}

/* ---- the generator (see the header comment) ---- */
static void build_frame(uint8_t *f, uint32_t destination)
{
    static const uint8_t eth[14] = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x10, 0x08, 0x00};
    memset(f, 0, FRAME_LENGTH);
    memcpy(f, eth, 14);
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    wr16(ip + 2, 46);
    ip[8] = 64;
    ip[9] = 17;
    wr32(ip + 12, 0x0A01000Au);
    wr32(ip + 16, destination);
    wr16(ip + 10, checksum(ip, 20));
    wr16(ip + 20, 5000);
    wr16(ip + 22, 5001);
    wr16(ip + 24, 26);
}

static void build_tables(struct itr *itr, uint32_t prefixes)
{
    lpm_init(&itr->lpm);
    itr->entries = aligned_alloc(64, ((size_t)prefixes * sizeof(struct map_entry) + 63) & ~(size_t)63);
    if (!itr->entries) {
        fprintf(stderr, "itr_baseline: out of memory\n");
        exit(1);
    }
    for (uint32_t i = 0; i < prefixes; i++) {
        struct map_entry *e = &itr->entries[i];
        struct locator rloc = {.address = RLOC_BASE + (i % RLOC_COUNT) + 1, .priority = 1, .weight = 100, .up = 1};
        memset(e, 0, sizeof *e);
        e->expires_ns = INT64_MAX;
        selector_build(e, &rloc, 1);
        lpm_add(&itr->lpm, PREFIX_BASE + (i << 8), 24, i);
    }
    build_underlay();
    itr->now_ns = 1000000000;
    itr->nonce_state = 1;
}

/* ---- pcap ---- */
static int write_pcap(const char *path, struct packet *packets, int n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    uint32_t header[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};
    /* magic, version 2.4 (major/minor as two little-endian u16), zone, sigfigs, snaplen, LINKTYPE_ETHERNET */
    uint16_t version[2] = {2, 4};
    fwrite(&header[0], 4, 1, f);
    fwrite(version, 2, 2, f);
    fwrite(&header[2], 4, 4, f);
    for (int i = 0; i < n; i++) {
        uint32_t record[4] = {(uint32_t)i, 0, packets[i].length, packets[i].length};
        fwrite(record, 4, 4, f);
        fwrite(packets[i].buffer + packets[i].data_offset, 1, packets[i].length, f);
    }
    return fclose(f);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(void)
{
    fprintf(stderr, "usage: itr_baseline [--prefixes N] [--frames F] [--seconds S] [--runs R] [--json] [--dump FILE.pcap]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    uint32_t prefixes = 1u << 20;
    uint32_t frame_count = BATCH;
    double seconds = 2.0;
    int runs = 3, json = 0;
    const char *dump = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--prefixes") && i + 1 < argc)
            prefixes = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--frames") && i + 1 < argc)
            frame_count = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            dump = argv[++i];
        else
            usage();
    }
    /* /24s from 11.0.0.0 must stay below the local EID space and inside 24-bit LPM values */
    /* whole batches of distinct frames, so every batch is 256 consecutive frames of the ring */
    if (prefixes < 1 || prefixes > (1u << 22) || seconds <= 0 || runs < 1 || runs > 100 || frame_count < BATCH ||
        frame_count > (1u << 24) || frame_count % BATCH != 0)
        usage();

    static struct itr itr;
    build_tables(&itr, prefixes);

    uint8_t(*templates)[FRAME_LENGTH] = malloc((size_t)frame_count * FRAME_LENGTH);
    if (!templates)
        return 1;
    uint64_t draw = 42;
    for (uint32_t i = 0; i < frame_count; i++)
        build_frame(templates[i], PREFIX_BASE + ((uint32_t)(splitmix64_next(&draw) % prefixes) << 8) + 1);
    uint32_t next_frame = 0;

    uint8_t *arena = aligned_alloc(64, (size_t)BATCH * BUFFER_SIZE);
    static struct packet packets[BATCH];
    if (!arena)
        return 1;
    for (int i = 0; i < BATCH; i++)
        packets[i].buffer = arena + (size_t)i * BUFFER_SIZE;

    double mpps[100], ns[100];
    uint64_t total_packets = 0;
    for (int run = 0; run < runs; run++) {
        uint64_t batches = 0;
        double start = now_seconds(), elapsed;
        do {
            for (int k = 0; k < 64; k++) {
                const uint8_t(*batch_templates)[FRAME_LENGTH] = templates + next_frame;
                next_frame = next_frame + BATCH == frame_count ? 0 : next_frame + BATCH;
                for (int i = 0; i < BATCH; i++) { /* restore, as the C# benchmark does per invocation */
                    struct packet *p = &packets[i];
                    p->data_offset = HEADROOM;
                    p->length = FRAME_LENGTH;
                    p->disposition = PENDING;
                    memcpy(p->buffer + HEADROOM, batch_templates[i], FRAME_LENGTH);
                }
                itr_batch(&itr, packets, BATCH);
                if (dump && run == 0 && batches == 0 && k == 0) {
                    if (write_pcap(dump, packets, 16) != 0) {
                        fprintf(stderr, "itr_baseline: cannot write %s: %s\n", dump, strerror(errno));
                        return 1;
                    }
                }
            }
            batches += 64;
            elapsed = now_seconds() - start;
        } while (elapsed < seconds);
        uint64_t n = batches * BATCH;
        total_packets += n;
        mpps[run] = (double)n / elapsed / 1e6;
        ns[run] = elapsed * 1e9 / (double)n;
        if (!json)
            printf("run %d: %.2f Mpps, %.2f ns/packet (%llu packets in %.2f s)\n", run + 1, mpps[run], ns[run],
                   (unsigned long long)n, elapsed);
    }
    struct counters *c = &itr.counters;
    if (c->tx != total_packets || c->dropped || c->punted) {
        fprintf(stderr, "itr_baseline: %llu of %llu transmitted (%llu dropped, %llu punted): measured another path\n",
                (unsigned long long)c->tx, (unsigned long long)total_packets, (unsigned long long)c->dropped,
                (unsigned long long)c->punted);
        return 1;
    }
    double sorted[100];
    memcpy(sorted, mpps, sizeof(double) * (size_t)runs);
    qsort(sorted, (size_t)runs, sizeof(double), compare_double);
    double median = runs % 2 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
    if (json) {
        printf("{\"benchmark\":\"itr-v4-over-v4\",\"prefixes\":%u,\"frames\":%u,\"batch\":%d,\"frameBytes\":%d,\"seconds\":%g,\"runs\":[",
               prefixes, frame_count, BATCH, FRAME_LENGTH + 4, seconds);
        for (int r = 0; r < runs; r++)
            printf("%s{\"mpps\":%.4f,\"nsPerPacket\":%.4f}", r ? "," : "", mpps[r], ns[r]);
        printf("],\"medianMpps\":%.4f,\"medianNsPerPacket\":%.4f,\"packets\":%llu}\n", median, 1e3 / median,
               (unsigned long long)total_packets);
    } else {
        printf("median: %.2f Mpps, %.2f ns/packet (%u prefixes, batch %d, %d-byte frames)\n", median, 1e3 / median,
               prefixes, BATCH, FRAME_LENGTH + 4);
    }
    return 0;
}
