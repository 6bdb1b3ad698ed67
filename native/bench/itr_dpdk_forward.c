/*
 * itr_dpdk_forward: the C DPDK forwarder that `dataplane dpdk-ring-bench` is measured against in bench/ports. It
 * does the ITR work of itr_baseline (itr_work.c: classify, local-EID checks, DIR-24-8 lookup, map-cache entry, flow
 * hash, locator, underlay adjacency, TTL/MTU, encapsulation into the mbuf's headroom) between rte_eth_rx_burst and
 * rte_eth_tx_burst, over the same net_ring cables our bench verb builds, fed by a generator that does what ours does
 * (src/Dataplane.Host/Bench/DpdkRingBenchCommand.cs and RingTrafficGenerator.cs):
 *
 *   - EAL with the arguments after "--" (bench/ports passes ours: --no-huge -m 1024 --no-pci --no-shconf
 *     --file-prefix ..., -l GEN-DUT). The main lcore is the generator, the next lcore the forwarder.
 *   - one mbuf pool "dataplane_pool" of --mbufs (16383 in bench/ports) with a 256-mbuf per-lcore cache and the
 *     default data room (128 bytes of headroom), as Mempool.Create.
 *   - two data plane ports, acc (EID side, ingress) and und (underlay): net_ring_acc receives from ring acc_rx and
 *     sends into acc_tx, and the generator's net_ring_gen_acc faces it (receives from acc_tx, sends into acc_rx);
 *     the same for und. Rings of 1024 slots, single producer and consumer (RingPorts.Create / the shim); one rx and
 *     one tx queue of 1024 descriptors per port, promiscuous, MTU 1500 asked for (DpdkPort).
 *   - the forwarder polls acc then und with bursts of up to 256 (PacketBatch.MaxCapacity), runs what acc gave
 *     through itr_batch in place, sends what it encapsulated in one tx burst per egress port and frees the rest:
 *     what tx refused counts as a drop, as our worker's Unsent does. Anything arriving on und is not ITR work here
 *     (none does in the benchmark): counted received and dropped.
 *   - the generator keeps acc's receive ring full: every mbuf that comes back on any cable is rewritten with the next
 *     test frame at the default headroom and sent in again (what the ring refuses is freed); when fewer than 64
 *     came back in a round it tops up with fresh mbufs until the ring refuses. The share of its rounds in which the
 *     ring refused a frame says who set the rate (near 100%: the forwarder).
 *   - after --warmup seconds it reads the forwarder's counters, again after --seconds more, and reports the packets
 *     transmitted in between per second, then stops the generator and the forwarder and checks conservation
 *     (received = transmitted + punted + dropped) on the final counters.
 *
 * Tables: --prefixes N builds itr_baseline's map-cache (and, without --frames, sends its first 256 frames);
 * --map-cache EID/LEN=RLOC:PRIORITY:WEIGHT[,...] (repeatable) builds a given one, as bench/ports does from the
 * ITR configuration it gives our daemon. The site and underlay default to itr_baseline's; flags override them.
 *
 * Build: scripts/build-native.sh (native/bench/CMakeLists.txt). Run: --help.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "itr_work.h"

#define PROGRAM "itr_dpdk_forward"
#define BURST 256            /* PacketBatch.MaxCapacity: the most one rx or tx burst of ours moves */
#define RING_SLOTS 1024      /* RingPorts.DefaultRingSize */
#define DESCRIPTORS 1024     /* DpdkPort's rx and tx descriptors */
#define POOL_CACHE 256       /* Mempool.Create's default cache */
#define TOP_UP_BURST 64      /* RingTrafficGenerator.TopUpBurst */
#define PREFETCH_AHEAD 8     /* mbuf headers fetched this far ahead of use, as the shim and DPDK's l3fwd */
#define CLOCK_EVERY 16       /* generator rounds between clock reads */
#define MAX_MAP_CACHE 64
#define MAX_LOCATORS 8
#define EID_PORT 0
#define UNDERLAY_PORT 1
#define PORTS 2

static const char *const port_names[PORTS] = {"acc", "und"};

static const char usage_text[] =
    "usage: " PROGRAM " [options] [-- EAL arguments]\n"
    "  The ITR work of itr_baseline as a DPDK forwarder over net_ring cables, fed by a generator on another lcore,\n"
    "  as `dataplane dpdk-ring-bench` measures ours. Prints a report and one line `result: {json}`.\n"
    "  --frames FILE.pcap   Ethernet frames the generator sends into acc, in order, over and over\n"
    "                       (default: itr_baseline's first 256 frames; needs --prefixes)\n"
    "  --prefixes N         itr_baseline's map-cache: N /24s from 11.0.0.0 (default 1048576 without --map-cache)\n"
    "  --map-cache EID/LEN=RLOC:PRIORITY:WEIGHT[,RLOC:PRIORITY:WEIGHT...]\n"
    "                       a map-cache entry (repeatable, up to 64, up to 8 locators each) instead of --prefixes\n"
    "  --instance N         instance id (default 7)\n"
    "  --local-eid A/LEN    the site's EID prefix (default 10.1.0.0/24)\n"
    "  --local-rloc A       our RLOC, the outer source (default 192.0.2.1)\n"
    "  --gateway A          the underlay default route's next hop (default 192.0.2.254)\n"
    "  --gateway-mac MAC    its MAC (default 02:00:00:00:ff:01)\n"
    "  --eid-port-mac MAC   acc's MAC (default 02:00:00:00:00:01)\n"
    "  --underlay-port-mac MAC  und's MAC, the outer source MAC (default 02:00:00:00:00:02)\n"
    "  --mtu N              und's MTU (default 1500)\n"
    "  --seconds S          measured window (default 5)\n"
    "  --warmup S           before it (default 3)\n"
    "  --mbufs N            mbufs in the pool (default 16383)\n"
    "  --dump FILE.pcap     the first --dump-count frames that came out of und, as they came (default 16)\n"
    "  --help               this text\n"
    "  EAL arguments default to: -l 0-1 --no-huge -m 1024 --no-pci --no-shconf --file-prefix itrfwd<pid>\n"
    "  --log-level=warning. The main lcore runs the generator, the next one the forwarder.\n"
    "  Exit status: 0 conserved, 1 not conserved or a DPDK failure, 2 bad arguments.\n";

struct map_cache_spec {
    uint32_t prefix;
    int depth;
    struct itr_locator locators[MAX_LOCATORS];
    int locator_count;
};

struct options {
    const char *frames_path;
    uint32_t prefixes;
    struct map_cache_spec map_cache[MAX_MAP_CACHE];
    int map_cache_count;
    struct itr_site site;
    double seconds, warmup;
    unsigned mbufs;
    const char *dump_path;
    unsigned dump_count;
    int eal_argc;
    char **eal_argv;
};

/* What the forwarder has counted, published after every busy round for the generator's clock reads. */
struct forward_counters {
    uint64_t rx, tx, dropped, punted, encapsulated, tx_full, not_itr, foreign;
};

struct frames {
    uint8_t *bytes;
    uint32_t *offsets;
    uint16_t *lengths;
    uint32_t count;
};

struct run {
    struct rte_mempool *pool;
    uint16_t ports[PORTS];  /* the data plane's */
    uint16_t facing[PORTS]; /* the generator's, facing them */
    struct frames frames;
    double seconds, warmup;
    /* forwarder */
    struct itr itr;
    struct forward_counters published;
    int stop_forwarder;
    /* generator */
    uint32_t next;
    uint64_t injected, returned, rounds, saturated_rounds;
    struct forward_counters before, after;
    double measured_seconds;
    /* the forwarder thread's CPU clock (set by it before its loop), read at both ends of the measured window */
    clockid_t forwarder_clock;
    int forwarder_clock_set;
    double forwarder_cpu_before, forwarder_cpu_after;
    /* dump */
    uint8_t *dump_bytes;
    uint16_t *dump_lengths;
    unsigned dump_count, dumped;
};

static struct run run;

static void bad(const char *fmt, const char *what)
{
    fprintf(stderr, PROGRAM ": ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, " (--help for usage)\n");
    exit(2);
}

static int parse_ipv4(const char *text, uint32_t *address)
{
    struct in_addr a;
    if (inet_pton(AF_INET, text, &a) != 1)
        return -1;
    *address = ntohl(a.s_addr);
    return 0;
}

static int parse_prefix(const char *text, uint32_t *prefix, int *depth)
{
    char copy[64];
    const char *slash = strchr(text, '/');
    if (!slash || (size_t)(slash - text) >= sizeof copy)
        return -1;
    memcpy(copy, text, (size_t)(slash - text));
    copy[slash - text] = 0;
    char *end;
    long d = strtol(slash + 1, &end, 10);
    if (*end || end == slash + 1 || d < 0 || d > 32 || parse_ipv4(copy, prefix) != 0)
        return -1;
    *depth = (int)d;
    return 0;
}

static int parse_mac(const char *text, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (sscanf(text, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 0xFF)
            return -1;
        mac[i] = (uint8_t)v[i];
    }
    return 0;
}

static int parse_unsigned(const char *text, unsigned long max, unsigned long *value)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v > max)
        return -1;
    *value = v;
    return 0;
}

static int parse_seconds(const char *text, double *value)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !(v >= 0) || v > 86400)
        return -1;
    *value = v;
    return 0;
}

/* EID/LEN=RLOC:PRIORITY:WEIGHT[,RLOC:PRIORITY:WEIGHT...] */
static int parse_map_cache(const char *text, struct map_cache_spec *spec)
{
    char copy[1024];
    if (strlen(text) >= sizeof copy)
        return -1;
    strcpy(copy, text);
    char *equals = strchr(copy, '=');
    if (!equals)
        return -1;
    *equals = 0;
    if (parse_prefix(copy, &spec->prefix, &spec->depth) != 0)
        return -1;
    spec->locator_count = 0;
    char *save = NULL;
    for (char *item = strtok_r(equals + 1, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *priority = strchr(item, ':');
        char *weight = priority ? strchr(priority + 1, ':') : NULL;
        if (!weight || spec->locator_count == MAX_LOCATORS)
            return -1;
        *priority++ = 0;
        *weight++ = 0;
        unsigned long p, w;
        struct itr_locator *l = &spec->locators[spec->locator_count];
        if (parse_ipv4(item, &l->address) != 0 || parse_unsigned(priority, 255, &p) != 0 || parse_unsigned(weight, 255, &w) != 0)
            return -1;
        l->priority = (uint8_t)p;
        l->weight = (uint8_t)w;
        l->up = 1;
        l->pad = 0;
        spec->locator_count++;
    }
    return spec->locator_count > 0 ? 0 : -1;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    itr_baseline_site(&o->site);
    o->seconds = 5;
    o->warmup = 3;
    o->mbufs = 16383;
    o->dump_count = 16;
    int end = argc;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--")) {
            end = i;
            break;
        }
    for (int i = 1; i < end; i++) {
        const char *flag = argv[i];
        if (!strcmp(flag, "--help")) {
            fputs(usage_text, stdout);
            exit(0);
        }
        static const char *const valued[] = {"--frames", "--prefixes", "--map-cache", "--instance", "--local-eid",
                                             "--local-rloc", "--gateway", "--gateway-mac", "--eid-port-mac",
                                             "--underlay-port-mac", "--mtu", "--seconds", "--warmup", "--mbufs",
                                             "--dump", "--dump-count"};
        int known = 0;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
            known |= !strcmp(flag, valued[k]);
        if (!known)
            bad("unknown argument '%s'", flag);
        if (i + 1 >= end)
            bad("'%s' needs a value", flag);
        const char *value = argv[++i];
        unsigned long n;
        int ok = 0;
        if (!strcmp(flag, "--frames"))
            o->frames_path = value, ok = 1;
        else if (!strcmp(flag, "--prefixes"))
            ok = parse_unsigned(value, ITR_BASELINE_MAX_PREFIXES, &n) == 0 && n > 0 && ((o->prefixes = (uint32_t)n), 1);
        else if (!strcmp(flag, "--map-cache"))
            ok = o->map_cache_count < MAX_MAP_CACHE && parse_map_cache(value, &o->map_cache[o->map_cache_count++]) == 0;
        else if (!strcmp(flag, "--instance"))
            ok = parse_unsigned(value, 0xFFFFFF, &n) == 0 && ((o->site.instance_id = (uint32_t)n), 1);
        else if (!strcmp(flag, "--local-eid")) {
            int depth = 0;
            ok = parse_prefix(value, &o->site.local_eid_net, &depth) == 0;
            o->site.local_eid_mask = depth == 0 ? 0 : 0xFFFFFFFFu << (32 - depth);
        } else if (!strcmp(flag, "--local-rloc"))
            ok = parse_ipv4(value, &o->site.local_rloc) == 0;
        else if (!strcmp(flag, "--gateway"))
            ok = parse_ipv4(value, &o->site.gateway) == 0 && o->site.gateway != 0;
        else if (!strcmp(flag, "--gateway-mac"))
            ok = parse_mac(value, o->site.gateway_mac) == 0;
        else if (!strcmp(flag, "--eid-port-mac"))
            ok = parse_mac(value, o->site.port_macs[EID_PORT]) == 0;
        else if (!strcmp(flag, "--underlay-port-mac"))
            ok = parse_mac(value, o->site.port_macs[UNDERLAY_PORT]) == 0;
        else if (!strcmp(flag, "--mtu"))
            ok = parse_unsigned(value, 9216, &n) == 0 && n >= 68 && ((o->site.mtu = (uint16_t)n), 1);
        else if (!strcmp(flag, "--seconds"))
            ok = parse_seconds(value, &o->seconds) == 0 && o->seconds > 0;
        else if (!strcmp(flag, "--warmup"))
            ok = parse_seconds(value, &o->warmup) == 0;
        else if (!strcmp(flag, "--mbufs"))
            ok = parse_unsigned(value, 1u << 22, &n) == 0 && n >= 2 * RING_SLOTS && ((o->mbufs = (unsigned)n), 1);
        else if (!strcmp(flag, "--dump"))
            o->dump_path = value, ok = 1;
        else /* --dump-count */
            ok = parse_unsigned(value, 65536, &n) == 0 && n > 0 && ((o->dump_count = (unsigned)n), 1);
        if (!ok) {
            char what[256];
            snprintf(what, sizeof what, "%s %s", flag, value);
            bad("bad value in '%s'", what);
        }
    }
    if (o->prefixes && o->map_cache_count)
        bad("%s: give --prefixes (itr_baseline's map-cache) or --map-cache, not both", "--prefixes");
    if (!o->map_cache_count && !o->prefixes)
        o->prefixes = 1u << 20;
    if (o->map_cache_count && !o->frames_path)
        bad("%s: with --map-cache, say what to send with --frames", "--frames");
    o->site.egress_port = UNDERLAY_PORT;
    o->eal_argc = argc - end - 1;
    o->eal_argv = end < argc ? argv + end + 1 : NULL;
}

/* ---- frames ---- */
static uint32_t pcap_u32(const uint8_t *p, int swapped)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

/* A classic pcap (micro- or nanosecond, either byte order) of Ethernet frames that fit behind the headroom. */
static int read_pcap(const char *path, struct frames *out, char *problem, size_t problem_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(problem, problem_size, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    uint8_t header[24], record[16];
    int swapped = 0, rc = -1;
    size_t capacity = 0, used = 0, max_frame = RTE_MBUF_DEFAULT_DATAROOM;
    out->count = 0;
    out->bytes = NULL;
    out->offsets = NULL;
    out->lengths = NULL;
    if (fread(header, 1, 24, f) != 24) {
        snprintf(problem, problem_size, "%s: not a pcap file (short header)", path);
        goto done;
    }
    uint32_t magic = pcap_u32(header, 0);
    if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u)
        swapped = 1;
    else if (magic != 0xa1b2c3d4u && magic != 0xa1b23c4du) {
        snprintf(problem, problem_size, "%s: not a classic pcap file (magic %08x; pcapng is not read)", path, magic);
        goto done;
    }
    if (pcap_u32(header + 20, swapped) != 1) {
        snprintf(problem, problem_size, "%s: link type %u, not Ethernet", path, pcap_u32(header + 20, swapped));
        goto done;
    }
    while (fread(record, 1, 16, f) == 16) {
        uint32_t length = pcap_u32(record + 8, swapped);
        if (length < ITR_ETH_LEN || length > max_frame) {
            snprintf(problem, problem_size, "%s: frame %u is %u bytes (14..%zu fit)", path, out->count + 1, length, max_frame);
            goto done;
        }
        if ((out->count & 1023) == 0) {
            out->offsets = realloc(out->offsets, (out->count + 1024) * sizeof *out->offsets);
            out->lengths = realloc(out->lengths, (out->count + 1024) * sizeof *out->lengths);
        }
        if (used + length > capacity) {
            capacity = (capacity + length) * 2;
            out->bytes = realloc(out->bytes, capacity);
        }
        if (!out->offsets || !out->lengths || !out->bytes) {
            snprintf(problem, problem_size, "out of memory reading %s", path);
            goto done;
        }
        if (fread(out->bytes + used, 1, length, f) != length) {
            snprintf(problem, problem_size, "%s: frame %u is cut short", path, out->count + 1);
            goto done;
        }
        out->offsets[out->count] = (uint32_t)used;
        out->lengths[out->count] = (uint16_t)length;
        out->count++;
        used += length;
    }
    if (out->count == 0)
        snprintf(problem, problem_size, "%s holds no frames", path);
    else
        rc = 0;
done:
    fclose(f);
    return rc;
}

static void baseline_frames(struct frames *out, uint32_t prefixes)
{
    out->count = ITR_BATCH;
    out->bytes = malloc((size_t)ITR_BATCH * ITR_BASELINE_FRAME_LENGTH);
    out->offsets = malloc(ITR_BATCH * sizeof *out->offsets);
    out->lengths = malloc(ITR_BATCH * sizeof *out->lengths);
    if (!out->bytes || !out->offsets || !out->lengths) {
        fprintf(stderr, PROGRAM ": out of memory\n");
        exit(1);
    }
    itr_baseline_frames((uint8_t(*)[ITR_BASELINE_FRAME_LENGTH])out->bytes, ITR_BATCH, prefixes);
    for (uint32_t i = 0; i < ITR_BATCH; i++) {
        out->offsets[i] = i * ITR_BASELINE_FRAME_LENGTH;
        out->lengths[i] = ITR_BASELINE_FRAME_LENGTH;
    }
}

/* ---- ports ---- */
static int ring_port(const char *name, const char *rx_name, const char *tx_name)
{
    const char *names[2] = {rx_name, tx_name};
    struct rte_ring *rings[2];
    for (int i = 0; i < 2; i++) {
        rings[i] = rte_ring_lookup(names[i]);
        if (!rings[i])
            rings[i] = rte_ring_create(names[i], RING_SLOTS, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (!rings[i]) {
            fprintf(stderr, PROGRAM ": rte_ring_create(%s): %s\n", names[i], rte_strerror(rte_errno));
            return -1;
        }
    }
    int port = rte_eth_from_rings(name, &rings[0], 1, &rings[1], 1, rte_socket_id());
    if (port < 0)
        fprintf(stderr, PROGRAM ": rte_eth_from_rings(%s): %s\n", name, rte_strerror(rte_errno));
    return port;
}

static int open_port(uint16_t port, int set_mtu, uint16_t mtu)
{
    struct rte_eth_conf conf;
    memset(&conf, 0, sizeof conf);
    int socket = rte_eth_dev_socket_id(port);
    unsigned s = socket < 0 ? 0 : (unsigned)socket;
    int rc = rte_eth_dev_configure(port, 1, 1, &conf);
    if (rc == 0)
        rc = rte_eth_rx_queue_setup(port, 0, DESCRIPTORS, s, NULL, run.pool);
    if (rc == 0)
        rc = rte_eth_tx_queue_setup(port, 0, DESCRIPTORS, s, NULL);
    if (rc == 0 && set_mtu)
        (void)rte_eth_dev_set_mtu(port, mtu); /* best effort, as DpdkPort: net_ring may not support it */
    if (rc == 0)
        rc = rte_eth_dev_start(port);
    if (rc != 0) {
        fprintf(stderr, PROGRAM ": setting up port %u: %s\n", port, rte_strerror(-rc));
        return -1;
    }
    (void)rte_eth_promiscuous_enable(port);
    return 0;
}

static int make_cables(uint16_t mtu)
{
    for (int p = 0; p < PORTS; p++) {
        char rx[32], tx[32], facing[32];
        snprintf(rx, sizeof rx, "%s_rx", port_names[p]);
        snprintf(tx, sizeof tx, "%s_tx", port_names[p]);
        snprintf(facing, sizeof facing, "gen_%s", port_names[p]);
        int ours = ring_port(port_names[p], rx, tx);
        int theirs = ours < 0 ? -1 : ring_port(facing, tx, rx);
        if (theirs < 0)
            return -1;
        run.ports[p] = (uint16_t)ours;
        run.facing[p] = (uint16_t)theirs;
        if (open_port(run.ports[p], 1, mtu) != 0 || open_port(run.facing[p], 0, 0) != 0)
            return -1;
    }
    return 0;
}

/* ---- the forwarder lcore ---- */
static void publish(const struct forward_counters *local, const struct itr_counters *itr)
{
    struct forward_counters *out = &run.published;
    __atomic_store_n(&out->rx, itr->rx + local->foreign, __ATOMIC_RELAXED);
    __atomic_store_n(&out->tx, itr->tx - local->tx_full, __ATOMIC_RELAXED);
    __atomic_store_n(&out->dropped, itr->dropped + local->tx_full + local->not_itr + local->foreign, __ATOMIC_RELAXED);
    __atomic_store_n(&out->punted, itr->punted, __ATOMIC_RELAXED);
    __atomic_store_n(&out->encapsulated, itr->encapsulated, __ATOMIC_RELAXED);
    __atomic_store_n(&out->tx_full, local->tx_full, __ATOMIC_RELAXED);
    __atomic_store_n(&out->not_itr, local->not_itr, __ATOMIC_RELAXED);
    __atomic_store_n(&out->foreign, local->foreign, __ATOMIC_RELAXED);
}

static struct forward_counters read_counters(void)
{
    struct forward_counters c;
    const struct forward_counters *in = &run.published;
    c.rx = __atomic_load_n(&in->rx, __ATOMIC_RELAXED);
    c.tx = __atomic_load_n(&in->tx, __ATOMIC_RELAXED);
    c.dropped = __atomic_load_n(&in->dropped, __ATOMIC_RELAXED);
    c.punted = __atomic_load_n(&in->punted, __ATOMIC_RELAXED);
    c.encapsulated = __atomic_load_n(&in->encapsulated, __ATOMIC_RELAXED);
    c.tx_full = __atomic_load_n(&in->tx_full, __ATOMIC_RELAXED);
    c.not_itr = __atomic_load_n(&in->not_itr, __ATOMIC_RELAXED);
    c.foreign = __atomic_load_n(&in->foreign, __ATOMIC_RELAXED);
    return c;
}

/* One burst from the EID port: descriptors onto the mbufs, the ITR work in place, then tx or free. */
static void forward_burst(struct rte_mbuf **mbufs, uint16_t n, struct forward_counters *local)
{
    struct itr_packet packets[BURST];
    struct rte_mbuf *out[PORTS][BURST], *gone[BURST];
    uint16_t queued[PORTS] = {0}, dead = 0;

    /* The mbuf headers and frames were last written on the generator's core: start fetching them early. */
    for (uint16_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
        rte_prefetch0(mbufs[i]);
    for (uint16_t i = 0; i < n; i++) {
        if (i + PREFETCH_AHEAD < n)
            rte_prefetch0(mbufs[i + PREFETCH_AHEAD]);
        struct rte_mbuf *m = mbufs[i];
        packets[i] = (struct itr_packet){.buffer = m->buf_addr, .data_offset = m->data_off, .length = m->data_len,
                                         .disposition = ITR_PENDING};
        rte_prefetch0(rte_pktmbuf_mtod(m, void *));
    }

    itr_batch(&run.itr, packets, n);

    for (uint16_t i = 0; i < n; i++) {
        struct rte_mbuf *m = mbufs[i];
        const struct itr_packet *p = &packets[i];
        if (p->disposition == ITR_TRANSMIT && p->egress_port < PORTS) {
            /* rte_pktmbuf_prepend's effect on a single-segment mbuf, given where the work put the frame */
            m->data_off = p->data_offset;
            m->data_len = p->length;
            m->pkt_len = p->length;
            out[p->egress_port][queued[p->egress_port]++] = m;
        } else {
            if (p->disposition == ITR_PENDING)
                local->not_itr++;
            gone[dead++] = m;
        }
    }
    for (int q = 0; q < PORTS; q++) {
        if (queued[q] == 0)
            continue;
        uint16_t sent = rte_eth_tx_burst(run.ports[q], 0, out[q], queued[q]);
        if (sent < queued[q]) {
            local->tx_full += queued[q] - sent;
            rte_pktmbuf_free_bulk(out[q] + sent, queued[q] - sent);
        }
    }
    if (dead)
        rte_pktmbuf_free_bulk(gone, dead);
}

static int forwarder_main(void *unused)
{
    (void)unused;
    struct rte_mbuf *mbufs[BURST];
    struct forward_counters local;
    memset(&local, 0, sizeof local);
    unsigned idle_rounds = 0;
    if (pthread_getcpuclockid(pthread_self(), &run.forwarder_clock) == 0)
        __atomic_store_n(&run.forwarder_clock_set, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&run.stop_forwarder, __ATOMIC_ACQUIRE)) {
        unsigned got = 0;
        for (int p = 0; p < PORTS; p++) {
            uint16_t n = rte_eth_rx_burst(run.ports[p], 0, mbufs, BURST);
            if (n == 0)
                continue;
            got += n;
            if (p == EID_PORT) {
                forward_burst(mbufs, n, &local);
            } else {
                local.foreign += n;
                rte_pktmbuf_free_bulk(mbufs, n);
            }
        }
        if (got) {
            idle_rounds = 0;
            publish(&local, &run.itr.counters);
        } else if (++idle_rounds > 64) {
            /* Idle: give the core away as our worker does (Thread.Sleep(0), then 1 ms), on a shared machine. */
            if (idle_rounds > 4096)
                usleep(1000);
            else
                sched_yield();
        }
    }
    publish(&local, &run.itr.counters);
    return 0;
}

/* ---- the generator (main lcore) ---- */
static inline void next_frame(uint8_t *to, uint16_t *length)
{
    const struct frames *f = &run.frames;
    *length = f->lengths[run.next];
    memcpy(to, f->bytes + f->offsets[run.next], *length);
    run.next = run.next + 1 == f->count ? 0 : run.next + 1;
}

static void capture(struct rte_mbuf **mbufs, uint16_t n)
{
    for (uint16_t i = 0; i < n && run.dumped < run.dump_count; i++, run.dumped++) {
        uint16_t length = rte_pktmbuf_data_len(mbufs[i]);
        if (length > RTE_MBUF_DEFAULT_BUF_SIZE)
            length = RTE_MBUF_DEFAULT_BUF_SIZE;
        memcpy(run.dump_bytes + (size_t)run.dumped * RTE_MBUF_DEFAULT_BUF_SIZE, rte_pktmbuf_mtod(mbufs[i], void *), length);
        run.dump_lengths[run.dumped] = length;
    }
}

/* Fresh frames until the ring refuses one; 1 when it took all of them (it was not full). */
static int top_up(void)
{
    for (int i = 0; i < TOP_UP_BURST; i++) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(run.pool);
        if (!m)
            return 0;
        uint16_t length;
        next_frame(rte_pktmbuf_mtod(m, uint8_t *), &length);
        m->data_len = length;
        m->pkt_len = length;
        if (rte_eth_tx_burst(run.facing[EID_PORT], 0, &m, 1) != 1) {
            rte_pktmbuf_free(m);
            run.next = run.next == 0 ? run.frames.count - 1 : run.next - 1; /* not sent: it goes next time */
            return 0;
        }
        run.injected++;
    }
    return 1;
}

/* CPU time the forwarder thread has had (0 before it started): what its rate is divided by on a shared machine. */
static double forwarder_cpu_seconds(void)
{
    struct timespec ts;
    if (!__atomic_load_n(&run.forwarder_clock_set, __ATOMIC_ACQUIRE) || clock_gettime(run.forwarder_clock, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void generate(void)
{
    struct rte_mbuf *mbufs[BURST];
    double start = now_seconds(), measure_from = start + run.warmup, measure_to = measure_from + run.seconds;
    double measure_start = 0;
    int measuring = 0;
    for (;;) {
        uint64_t back = 0;
        int refused = 0;
        for (int p = 0; p < PORTS; p++) {
            uint16_t got = rte_eth_rx_burst(run.facing[p], 0, mbufs, BURST);
            if (got == 0)
                continue;
            back += got;
            if (p == UNDERLAY_PORT && run.dumped < run.dump_count)
                capture(mbufs, got);
            for (uint16_t i = 0; i < got; i++) { /* RingTrafficGenerator.Rewrite: the next frame at the default headroom */
                struct rte_mbuf *m = mbufs[i];
                uint16_t length;
                m->data_off = RTE_PKTMBUF_HEADROOM;
                next_frame(rte_pktmbuf_mtod(m, uint8_t *), &length);
                m->data_len = length;
                m->pkt_len = length;
            }
            uint16_t sent = rte_eth_tx_burst(run.facing[EID_PORT], 0, mbufs, got);
            if (sent < got) {
                rte_pktmbuf_free_bulk(mbufs + sent, got - sent); /* the ring was full: these leave the loop */
                refused = 1;
            }
            run.injected += sent;
        }
        run.returned += back;
        if (back < TOP_UP_BURST)
            refused |= !top_up();
        run.rounds++;
        if (refused)
            run.saturated_rounds++;
        if (run.rounds % CLOCK_EVERY)
            continue;
        double now = now_seconds();
        if (!measuring && now >= measure_from) {
            run.before = read_counters();
            run.forwarder_cpu_before = forwarder_cpu_seconds();
            measure_start = now;
            measuring = 1;
        } else if (measuring && now >= measure_to) {
            run.after = read_counters();
            run.forwarder_cpu_after = forwarder_cpu_seconds();
            run.measured_seconds = now - measure_start;
            return;
        }
    }
}

/* ---- report ---- */
static int write_dump(const char *path)
{
    struct itr_packet *packets = calloc(run.dumped ? run.dumped : 1, sizeof *packets);
    if (!packets)
        return -1;
    for (unsigned i = 0; i < run.dumped; i++)
        packets[i] = (struct itr_packet){.buffer = run.dump_bytes + (size_t)i * RTE_MBUF_DEFAULT_BUF_SIZE,
                                         .length = run.dump_lengths[i]};
    int rc = itr_write_pcap(path, packets, (int)run.dumped);
    free(packets);
    return rc;
}

static int report(const struct options *o, unsigned forwarder_lcore)
{
    const struct forward_counters *b = &run.before, *a = &run.after;
    struct forward_counters final = read_counters();
    uint64_t received = a->rx - b->rx, transmitted = a->tx - b->tx;
    double mpps = (double)transmitted / run.measured_seconds / 1e6;
    double saturated = run.rounds ? (double)run.saturated_rounds / (double)run.rounds : 0;
    double cpu = run.forwarder_cpu_after - run.forwarder_cpu_before;
    double mpps_cpu = cpu > 0 ? (double)transmitted / cpu / 1e6 : 0;
    int conserved = final.rx == final.tx + final.punted + final.dropped;
    printf(PROGRAM ": 1 worker on lcore %u, generator on lcore %u, %u frame(s) of %u bytes, map-cache: ", forwarder_lcore,
           rte_get_main_lcore(), run.frames.count, run.frames.lengths[0]);
    if (o->map_cache_count)
        printf("%d entr%s from --map-cache\n", o->map_cache_count, o->map_cache_count == 1 ? "y" : "ies");
    else
        printf("itr_baseline's %u prefixes\n", o->prefixes);
    printf("  measured %.2f s after %.1f s warm-up: received %llu, transmitted %llu: %.3f Mpps, %.3f Mpps per worker, "
           "%.1f ns per packet per worker\n",
           run.measured_seconds, o->warmup, (unsigned long long)received, (unsigned long long)transmitted, mpps, mpps,
           mpps > 0 ? 1e3 / mpps : 0.0);
    printf("  generator: %llu sent in, %llu back; ingress ring full in %.1f%% of its rounds (well above 0%%: the "
           "forwarder set the rate)\n",
           (unsigned long long)run.injected, (unsigned long long)run.returned, saturated * 100);
    printf("  forwarder thread on a CPU %.2f s of the %.2f s: %.3f Mpps per CPU-second\n", cpu, run.measured_seconds, mpps_cpu);
    printf("received      %llu\ntransmitted   %llu\npunted        %llu\ndropped       %llu\n"
           "  of which tx ring full %llu, not ITR traffic %llu, arrived on und %llu\nencapsulated  %llu\n",
           (unsigned long long)final.rx, (unsigned long long)final.tx, (unsigned long long)final.punted,
           (unsigned long long)final.dropped, (unsigned long long)final.tx_full, (unsigned long long)final.not_itr,
           (unsigned long long)final.foreign, (unsigned long long)final.encapsulated);
    printf("%s\n", conserved ? "conservation holds: received = transmitted + punted + dropped"
                             : "CONSERVATION VIOLATED: received != transmitted + punted + dropped");
    printf("result: {\"forwarder\":\"c-dpdk\",\"workers\":1,\"frameBytes\":%u,\"frames\":%u,\"seconds\":%.6f,"
           "\"received\":%llu,\"transmitted\":%llu,\"mpps\":%.6f,\"mppsPerWorker\":%.6f,"
           "\"generatorSaturatedShare\":%.6f,\"workerCpuSeconds\":%.6f,\"mppsPerWorkerCpuSecond\":%.6f,\"drops\":%llu,\"punted\":%llu,\"encapsulated\":%llu,\"conserved\":%s}\n",
           run.frames.lengths[0], run.frames.count, run.measured_seconds, (unsigned long long)received,
           (unsigned long long)transmitted, mpps, mpps, saturated, cpu, mpps_cpu, (unsigned long long)final.dropped,
           (unsigned long long)final.punted, (unsigned long long)final.encapsulated, conserved ? "true" : "false");
    fflush(stdout);
    return conserved;
}

/* With --no-shconf EAL still makes its runtime directory and leaves it behind, one per run. The telemetry socket's
 * exit handler empties it; this one, registered before EAL's and so run after it, removes it. */
static char runtime_dir[PATH_MAX];

static void remove_runtime_dir(void)
{
    if (runtime_dir[0])
        (void)rmdir(runtime_dir);
}

int main(int argc, char **argv)
{
    static struct options o;
    parse_options(argc, argv, &o);

    /* The tables and frames first: a bad --frames file is a usage error, found before EAL takes the cores. */
    char problem[512];
    if (o.frames_path) {
        if (read_pcap(o.frames_path, &run.frames, problem, sizeof problem) != 0) {
            fprintf(stderr, PROGRAM ": %s\n", problem);
            return 2;
        }
    } else {
        baseline_frames(&run.frames, o.prefixes);
    }
    itr_init(&run.itr, &o.site, o.map_cache_count ? (uint32_t)o.map_cache_count : o.prefixes);
    if (o.map_cache_count) {
        for (int i = 0; i < o.map_cache_count; i++)
            itr_map_cache_add(&run.itr, o.map_cache[i].prefix, o.map_cache[i].depth, o.map_cache[i].locators,
                              o.map_cache[i].locator_count);
    } else {
        itr_baseline_map_cache(&run.itr, o.prefixes);
    }
    run.seconds = o.seconds;
    run.warmup = o.warmup;
    if (o.dump_path) {
        run.dump_count = o.dump_count;
        run.dump_bytes = malloc((size_t)o.dump_count * RTE_MBUF_DEFAULT_BUF_SIZE);
        run.dump_lengths = malloc(o.dump_count * sizeof *run.dump_lengths);
        if (!run.dump_bytes || !run.dump_lengths) {
            fprintf(stderr, PROGRAM ": out of memory\n");
            return 1;
        }
    }

    /* EAL keeps pointers into argv: the strings live as long as the process. */
    char prefix[64];
    snprintf(prefix, sizeof prefix, "itrfwd%d", (int)getpid());
    char *defaults[] = {"-l", "0-1", "--no-huge", "-m", "1024", "--no-pci", "--no-shconf", "--file-prefix", prefix,
                        "--log-level=warning"};
    int eal_argc = o.eal_argv ? o.eal_argc : (int)(sizeof defaults / sizeof defaults[0]);
    char **eal_argv = calloc((size_t)eal_argc + 2, sizeof(char *));
    if (!eal_argv)
        return 1;
    eal_argv[0] = argv[0];
    for (int i = 0; i < eal_argc; i++)
        eal_argv[i + 1] = o.eal_argv ? o.eal_argv[i] : defaults[i];
    atexit(remove_runtime_dir); /* before rte_eal_init, so it runs after the telemetry's own exit handler */
    if (rte_eal_init(eal_argc + 1, eal_argv) < 0) {
        fprintf(stderr, PROGRAM ": rte_eal_init failed: %s\n", rte_strerror(rte_errno));
        return 1;
    }
    snprintf(runtime_dir, sizeof runtime_dir, "%s", rte_eal_get_runtime_dir());
    unsigned forwarder_lcore = rte_get_next_lcore(-1, 1, 0);
    if (forwarder_lcore >= RTE_MAX_LCORE) {
        fprintf(stderr, PROGRAM ": needs two lcores (EAL -l GEN,DUT): the main one generates, the next forwards\n");
        rte_eal_cleanup();
        return 2;
    }
    run.pool = rte_pktmbuf_pool_create("dataplane_pool", o.mbufs, POOL_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
    if (!run.pool) {
        fprintf(stderr, PROGRAM ": rte_pktmbuf_pool_create(%u mbufs) failed: %s; more memory (-m) or fewer mbufs?\n", o.mbufs,
                rte_strerror(rte_errno));
        rte_eal_cleanup();
        return 1;
    }
    if (make_cables(o.site.mtu) != 0) {
        rte_eal_cleanup();
        return 1;
    }

    if (rte_eal_remote_launch(forwarder_main, NULL, forwarder_lcore) != 0) {
        fprintf(stderr, PROGRAM ": cannot launch the forwarder on lcore %u\n", forwarder_lcore);
        rte_eal_cleanup();
        return 1;
    }
    generate();
    __atomic_store_n(&run.stop_forwarder, 1, __ATOMIC_RELEASE);
    rte_eal_wait_lcore(forwarder_lcore);

    int conserved = report(&o, forwarder_lcore);
    int status = conserved ? 0 : 1;
    if (o.dump_path && write_dump(o.dump_path) != 0) {
        fprintf(stderr, PROGRAM ": cannot write %s: %s\n", o.dump_path, strerror(errno));
        status = 1;
    }
    for (int p = 0; p < PORTS; p++) {
        rte_eth_dev_stop(run.ports[p]);
        rte_eth_dev_close(run.ports[p]);
        rte_eth_dev_stop(run.facing[p]);
        rte_eth_dev_close(run.facing[p]);
    }
    rte_eal_cleanup();
    return status;
}
