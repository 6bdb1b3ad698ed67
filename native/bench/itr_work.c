/*
 * itr_work: what one ITR worker does to a batch, as ForwardingPipeline.Process does it for IPv4 over IPv4 (the
 * C# LispEncapsulationStageBenchmarks "v4-over-v4" case), in plain C. Shared by itr_baseline and itr_dpdk_forward so
 * both C yardsticks do exactly the same work:
 *
 *   per packet: classify Ethernet/IPv4/UDP (bounds and header sanity as ClassifyStage), local-EID source check and
 *   local-EID destination check (the site's instance and EID prefix), DIR-24-8 lookup of the destination (the layout
 *   of src/Dataplane.Tables/Lpm/Ipv4LpmTable.cs), map-cache entry (expiry, negative check), CRC32C 5-tuple flow hash
 *   + murmur3 fmix32 (FlowHash.cs), locator by the entry's 64-slot weighted table (LocatorSelector.cs; a single
 *   locator short-cuts the table as in C#), underlay adjacency cached for the last RLOC (UnderlayResolver), TTL <= 1
 *   and MTU checks, inner TTL decrement with an RFC 1624 incremental checksum update, Ethernet padding cut, outer
 *   Ethernet / IPv4 (DF, TTL and TOS copied, checksum summed from the field values) / UDP (source port from the flow
 *   hash, checksum 0) / LISP (N and I bits, nonce from SplitMix64 seeded with 1, the site's instance id) written
 *   into the headroom, disposition transmit, counters.
 *
 * The batch runs in three passes so the DIR-24-8 and map-cache misses of different packets overlap.
 */
#define _GNU_SOURCE
#include "itr_work.h"

#include <errno.h>
#include <nmmintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

#define LPM_VALID (1u << 31)
#define LPM_EXTENDED (1u << 30)
#define LPM_VALUE_MASK 0xFFFFFFu

/* Tables are built once before any packet: running out of memory there ends the program. */
static void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", program_invocation_short_name);
    exit(1);
}

/*
 * Zeroed memory for a table read at random, on 2 MiB pages where Linux allows (transparent huge pages in "madvise"
 * or "always" mode), as the C# tables are (HugePageArray): the yardstick gets the same TLB help as the code it
 * measures. Untouched pages stay unbacked; never freed (the tables live as long as the program).
 */
static void *huge_zeroed(size_t bytes)
{
    void *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        out_of_memory();
    (void)madvise(memory, bytes, MADV_HUGEPAGE); /* best effort: without it the pages are ordinary ones */
    return memory;
}

/* ---- DIR-24-8 ---- */
static void lpm_init(struct itr_lpm *t)
{
    t->tbl24 = huge_zeroed(((size_t)1 << 24) * sizeof(uint32_t));
    t->groups_capacity = 256;
    t->tbl8 = calloc((size_t)t->groups_capacity * ITR_GROUP_SIZE, sizeof(uint32_t));
    t->groups = 0;
    if (!t->tbl24 || !t->tbl8)
        out_of_memory();
}

static uint32_t lpm_entry(int depth, uint32_t value) { return LPM_VALID | ((uint32_t)depth << 24) | value; }
static int lpm_depth(uint32_t e) { return (int)((e >> 24) & 0x3F); }
static int lpm_owns(uint32_t e, int depth) { return !(e & LPM_VALID) || lpm_depth(e) <= depth; }

/* Add only (the yardsticks never remove): the same entries Ipv4LpmTable.Add writes. */
static void lpm_add(struct itr_lpm *t, uint32_t prefix, int depth, uint32_t value)
{
    uint32_t mask = depth == 0 ? 0 : 0xFFFFFFFFu << (32 - depth);
    uint32_t key = prefix & mask;
    uint32_t entry = lpm_entry(depth, value);
    if (depth <= 24) {
        uint32_t first = key >> 8, end = first + (1u << (24 - depth));
        for (uint32_t i = first; i < end; i++) {
            uint32_t e = t->tbl24[i];
            if (e & LPM_EXTENDED) {
                uint32_t *g = t->tbl8 + (size_t)(e & LPM_VALUE_MASK) * ITR_GROUP_SIZE;
                for (int j = 0; j < ITR_GROUP_SIZE; j++)
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
            t->tbl8 = realloc(t->tbl8, (size_t)t->groups_capacity * ITR_GROUP_SIZE * sizeof(uint32_t));
            if (!t->tbl8)
                out_of_memory();
        }
        uint32_t group = t->groups++;
        g = t->tbl8 + (size_t)group * ITR_GROUP_SIZE;
        for (int j = 0; j < ITR_GROUP_SIZE; j++)
            g[j] = top;
        t->tbl24[index] = LPM_EXTENDED | group;
    } else {
        g = t->tbl8 + (size_t)(top & LPM_VALUE_MASK) * ITR_GROUP_SIZE;
    }
    for (uint32_t j = start; j < start + count; j++)
        if (lpm_owns(g[j], depth))
            g[j] = entry;
}

static inline int lpm_lookup(const struct itr_lpm *t, uint32_t a, uint32_t *value)
{
    uint32_t e = t->tbl24[a >> 8];
    if (e & LPM_EXTENDED)
        e = t->tbl8[(size_t)(e & LPM_VALUE_MASK) * ITR_GROUP_SIZE + (a & 0xFF)];
    *value = e & LPM_VALUE_MASK;
    return (e & LPM_VALID) != 0;
}

/* ---- map-cache entries, indexed by the LPM value (as MapCacheView's slots) ---- */

/* LocatorSelector.Build: lowest usable priority, largest-remainder apportionment of 64 slots by weight. */
static void selector_build(struct itr_map_entry *e, const struct itr_locator *locators, int locator_count)
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
        slots[k] = (int)(w * ITR_SELECTOR_SLOTS / total);
        remainders[k] = w == 0 ? -1 : (w * ITR_SELECTOR_SLOTS) % total;
        assigned += slots[k];
    }
    while (assigned < ITR_SELECTOR_SLOTS) {
        int largest = 0;
        for (int k = 1; k < count; k++)
            if (remainders[k] > remainders[largest])
                largest = k;
        slots[largest]++;
        remainders[largest] = -1;
        assigned++;
    }
    size_t bytes = sizeof(struct itr_locator_set) + sizeof(struct itr_locator) * (size_t)locator_count;
    struct itr_locator_set *set = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!set)
        out_of_memory();
    memcpy(set->locators, locators, sizeof(struct itr_locator) * (size_t)locator_count);
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

uint64_t itr_splitmix64_next(uint64_t *state) { return splitmix64_next(state); }

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

/* ---- tables ---- */
static void build_underlay(struct itr_underlay *u, const struct itr_site *site)
{
    lpm_init(&u->fib);
    lpm_add(&u->fib, 0, 0, 0);
    u->next_hops[0] = (struct itr_next_hop){.gateway = site->gateway, .port = site->egress_port};
    for (int p = 0; p < 2; p++) {
        memcpy(u->ports[p].mac, site->port_macs[p], 6);
        u->ports[p].mtu = site->mtu;
    }
    memset(u->neighbours, 0, sizeof u->neighbours);
    uint32_t slot = fmix32(site->gateway) & (ITR_NEIGHBOUR_SLOTS - 1);
    u->neighbours[slot].address = site->gateway;
    memcpy(u->neighbours[slot].mac, site->gateway_mac, 6);
}

void itr_init(struct itr *itr, const struct itr_site *site, uint32_t capacity)
{
    lpm_init(&itr->lpm);
    itr->entries = huge_zeroed(((size_t)capacity * sizeof(struct itr_map_entry) + 63) & ~(size_t)63);
    if (!itr->entries)
        out_of_memory();
    itr->entry_count = 0;
    itr->entry_capacity = capacity;
    itr->instance_id = site->instance_id;
    itr->local_eid_net = site->local_eid_net & site->local_eid_mask;
    itr->local_eid_mask = site->local_eid_mask;
    itr->local_rloc = site->local_rloc;
    memset(&itr->adjacency, 0, sizeof itr->adjacency);
    memset(&itr->counters, 0, sizeof itr->counters);
    build_underlay(&itr->underlay, site);
    itr->now_ns = 1000000000;
    itr->nonce_state = 1;
}

int itr_map_cache_add(struct itr *itr, uint32_t prefix, int depth, const struct itr_locator *locators, int locator_count)
{
    if (itr->entry_count == itr->entry_capacity)
        return -1;
    uint32_t i = itr->entry_count++;
    struct itr_map_entry *e = &itr->entries[i];
    memset(e, 0, sizeof *e);
    e->expires_ns = INT64_MAX;
    selector_build(e, locators, locator_count);
    lpm_add(&itr->lpm, prefix, depth, i);
    return 0;
}

static int resolve_underlay(const struct itr_underlay *u, uint32_t rloc, struct itr_adjacency *adj)
{
    uint32_t value;
    if (!lpm_lookup(&u->fib, rloc, &value))
        return 0;
    const struct itr_next_hop *hop = &u->next_hops[value];
    uint32_t next = hop->gateway ? hop->gateway : rloc;
    for (uint32_t slot = fmix32(next) & (ITR_NEIGHBOUR_SLOTS - 1), probes = 0; probes < ITR_NEIGHBOUR_SLOTS;
         slot = (slot + 1) & (ITR_NEIGHBOUR_SLOTS - 1), probes++) {
        const struct itr_neighbour *n = &u->neighbours[slot];
        if (n->address == next) {
            adj->rloc = rloc;
            memcpy(adj->dst_mac, n->mac, 6);
            memcpy(adj->src_mac, u->ports[hop->port].mac, 6);
            adj->mtu = u->ports[hop->port].mtu;
            adj->port = hop->port;
            return 1;
        }
        if (n->address == 0)
            break;
    }
    return 0;
}

/* ---- the per-packet work ---- */
static inline void drop(struct itr_packet *p, struct itr_counters *c)
{
    p->disposition = ITR_DROP;
    c->dropped++;
}

/* One packet through classify + LISP encapsulation; the routing stage has nothing left to do after it. */
static inline void itr_packet(struct itr *itr, struct itr_packet *p, uint32_t dst, const uint32_t *lpm_value, int hit)
{
    struct itr_counters *c = &itr->counters;
    uint8_t *frame = p->buffer + p->data_offset;
    uint8_t *ip = frame + ITR_ETH_LEN;
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
    if ((src & itr->local_eid_mask) != itr->local_eid_net)
        return;
    if ((dst & itr->local_eid_mask) == itr->local_eid_net)
        return;
    if (UNLIKELY(!hit)) {
        p->disposition = ITR_PUNT;
        c->punted++;
        return;
    }
    const struct itr_map_entry *entry = &itr->entries[*lpm_value];
    if (UNLIKELY(entry->expires_ns <= itr->now_ns)) {
        p->disposition = ITR_PUNT;
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
    uint32_t rloc = LIKELY(entry->set == NULL)
                        ? entry->only.address
                        : entry->set->locators[entry->set->selector[hash & (ITR_SELECTOR_SLOTS - 1)]].address;
    if (UNLIKELY(itr->adjacency.rloc != rloc) && !resolve_underlay(&itr->underlay, rloc, &itr->adjacency)) {
        drop(p, c);
        return;
    }
    const struct itr_adjacency *adj = &itr->adjacency;
    if (UNLIKELY(ttl <= 1)) {
        drop(p, c);
        return;
    }
    if (UNLIKELY(total + (ITR_OUTER_OVERHEAD - ITR_ETH_LEN) > adj->mtu)) {
        drop(p, c); /* the C# stage would build an ICMP too-big; never taken by the yardsticks' frames */
        return;
    }
    /* TTL decrement, RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') with the TTL/protocol word */
    ttl--;
    ip[8] = ttl;
    uint32_t sum = (uint16_t)~rd16(ip + 10) + (uint16_t)~(((uint32_t)(ttl + 1) << 8) | proto) + (((uint32_t)ttl << 8) | proto);
    wr16(ip + 10, (uint16_t)~fold(sum));

    /* cut Ethernet padding, then prepend the outer headers in the headroom (36 bytes more than the inner Ethernet) */
    uint8_t tos = ip[1];
    int inner_length = total < p->length - ITR_ETH_LEN ? total : p->length - ITR_ETH_LEN;
    if (UNLIKELY(p->data_offset + ITR_ETH_LEN < ITR_OUTER_OVERHEAD)) {
        drop(p, c);
        return;
    }
    uint32_t local_rloc = itr->local_rloc;
    p->data_offset = (uint16_t)(p->data_offset + ITR_ETH_LEN - ITR_OUTER_OVERHEAD);
    p->length = (uint16_t)(inner_length + ITR_OUTER_OVERHEAD);
    uint8_t *o = p->buffer + p->data_offset;
    memcpy(o, adj->dst_mac, 6);
    memcpy(o + 6, adj->src_mac, 6);
    wr16(o + 12, 0x0800);
    uint8_t *oip = o + ITR_ETH_LEN;
    uint16_t ip_total = (uint16_t)(20 + 8 + 8 + inner_length);
    oip[0] = 0x45;
    oip[1] = tos;
    wr16(oip + 2, ip_total);
    wr16(oip + 4, 0);
    wr16(oip + 6, 0x4000); /* DF */
    oip[8] = ttl;
    oip[9] = 17;
    wr32(oip + 12, local_rloc);
    wr32(oip + 16, rloc);
    uint32_t ipsum = 0x4500u + tos + ip_total + 0x4000u + ((uint32_t)ttl << 8) + 17u
                   + (local_rloc >> 16) + (local_rloc & 0xFFFF) + (rloc >> 16) + (rloc & 0xFFFF);
    wr16(oip + 10, (uint16_t)~fold(ipsum));
    uint8_t *udp = oip + 20;
    wr16(udp, (uint16_t)(49152u | (hash >> 18)));
    wr16(udp + 2, 4341);
    wr16(udp + 4, (uint16_t)(8 + 8 + inner_length));
    wr16(udp + 6, 0);
    uint8_t *lisp = udp + 8;
    uint32_t nonce = (uint32_t)splitmix64_next(&itr->nonce_state) & 0xFFFFFF;
    wr32(lisp, 0x88000000u | nonce);        /* N and I flags, 24-bit nonce (RFC 9300 section 5.3) */
    wr32(lisp + 4, itr->instance_id << 8);  /* instance id, LSBs 0 */
    p->l3_offset = (uint16_t)(p->data_offset + ITR_ETH_LEN);
    p->disposition = ITR_TRANSMIT;
    p->egress_port = adj->port;
    c->tx++;
    c->encapsulated++;
}

/* Classify checks that guard reading the destination; 0 = dropped as malformed / not IPv4. */
static inline int classify(struct itr_packet *p, struct itr_counters *c)
{
    const uint8_t *f = p->buffer + p->data_offset;
    if (UNLIKELY(p->length < ITR_ETH_LEN + 20 || rd16(f + 12) != 0x0800)) {
        drop(p, c);
        return 0;
    }
    const uint8_t *ip = f + ITR_ETH_LEN;
    int ihl = (ip[0] & 0x0F) * 4, total = rd16(ip + 2), available = p->length - ITR_ETH_LEN;
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
    p->l3_offset = (uint16_t)(p->data_offset + ITR_ETH_LEN);
    return 1;
}

void itr_batch(struct itr *itr, struct itr_packet *packets, int n)
{
    uint32_t dst[ITR_BATCH], value[ITR_BATCH];
    uint8_t ok[ITR_BATCH], hit[ITR_BATCH];
    struct itr_counters *c = &itr->counters;
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

/* ---- itr_baseline's generator ---- */
#define BASELINE_RLOC_BASE 0xC6336400u  /* 198.51.100.0 */
#define BASELINE_RLOC_COUNT 250
#define BASELINE_PREFIX_BASE 0x0B000000u /* 11.0.0.0 */

void itr_baseline_site(struct itr_site *site)
{
    *site = (struct itr_site){
        .instance_id = 7,
        .local_eid_net = 0x0A010000u, /* 10.1.0.0/24 */
        .local_eid_mask = 0xFFFFFF00u,
        .local_rloc = 0xC0000201u,    /* 192.0.2.1 */
        .gateway = 0xC00002FEu,       /* 192.0.2.254 */
        .gateway_mac = {0x02, 0, 0, 0, 0xff, 0x01},
        .port_macs = {{0x02, 0, 0, 0, 0, 0x01}, {0x02, 0, 0, 0, 0, 0x02}},
        .mtu = 1500,
        .egress_port = 1,
    };
}

void itr_baseline_tables(struct itr *itr, uint32_t prefixes)
{
    struct itr_site site;
    itr_baseline_site(&site);
    itr_init(itr, &site, prefixes);
    itr_baseline_map_cache(itr, prefixes);
}

void itr_baseline_map_cache(struct itr *itr, uint32_t prefixes)
{
    for (uint32_t i = 0; i < prefixes; i++) {
        struct itr_locator rloc = {.address = BASELINE_RLOC_BASE + (i % BASELINE_RLOC_COUNT) + 1, .priority = 1, .weight = 100, .up = 1};
        itr_map_cache_add(itr, BASELINE_PREFIX_BASE + (i << 8), 24, &rloc, 1);
    }
}

static void build_frame(uint8_t *f, uint32_t destination)
{
    static const uint8_t eth[14] = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x10, 0x08, 0x00};
    memset(f, 0, ITR_BASELINE_FRAME_LENGTH);
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

void itr_baseline_frames(uint8_t (*frames)[ITR_BASELINE_FRAME_LENGTH], uint32_t count, uint32_t prefixes)
{
    uint64_t draw = 42;
    for (uint32_t i = 0; i < count; i++)
        build_frame(frames[i], BASELINE_PREFIX_BASE + ((uint32_t)(splitmix64_next(&draw) % prefixes) << 8) + 1);
}

/* ---- pcap ---- */
int itr_write_pcap(const char *path, const struct itr_packet *packets, int n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    /* magic, version 2.4 (major/minor as two little-endian u16), zone, sigfigs, snaplen, LINKTYPE_ETHERNET */
    uint32_t header[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};
    uint16_t version[2] = {2, 4};
    fwrite(&header[0], 4, 1, f);
    fwrite(version, 2, 2, f);
    fwrite(&header[2], 4, 4, f);
    for (int i = 0; i < n; i++) {
        uint32_t record[4] = {(uint32_t)i, 0, packets[i].length, packets[i].length};
        fwrite(record, 4, 4, f);
        fwrite(packets[i].buffer + packets[i].data_offset, 1, packets[i].length, f);
    }
    int saved = ferror(f) ? EIO : 0;
    if (fclose(f) != 0 || saved) {
        if (saved)
            errno = saved;
        return -1;
    }
    return 0;
}
