/*
 * dpdk_shim: the few DPDK calls Dataplane needs, as plain exported functions.
 *
 * Why a shim at all: DPDK's fast path (rte_eth_rx_burst, rte_eth_tx_burst, rte_pktmbuf_* helpers, mbuf fields) is
 * static inline functions and struct fields whose layout depends on the build, which .NET cannot call or must
 * not hard-code. Each function here is one such inline call (or a thin pass-through that keeps DPDK's structs,
 * e.g. rte_eth_conf, out of C#). Per-packet work stays in batches: one call per burst. The few mbuf fields a packet
 * needs (where its frame sits) .NET reads and writes itself, at offsets this shim reports and .NET checks at start.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

/*
 * Where the rte_mbuf fields DpdkSharp reads and writes itself sit (MbufFields.cs), and the mbuf's size: reported
 * so that .NET checks its compiled-in offsets once at EAL init against this DPDK build, and then touches the fields
 * of every packet with plain loads and stores instead of a call per burst. Append only: .NET reads `count` fields.
 */
struct shim_mbuf_fields {
    uint32_t count;
    uint32_t size;
    uint32_t buf_addr;
    uint32_t buf_len;
    uint32_t data_off;
    uint32_t refcnt;
    uint32_t nb_segs;
    uint32_t port;
    uint32_t ol_flags;
    uint32_t pkt_len;
    uint32_t data_len;
    uint32_t pool;
    uint32_t next;
    uint32_t tx_offload;
    uint32_t headroom;
};

/* rte_eal_init, so the caller can read rte_errno (a per-lcore macro) right after it fails. */
SHIM_EXPORT int shim_eal_init(int argc, char **argv) { return rte_eal_init(argc, argv); }

/* rte_errno is a thread-local macro: not reachable from .NET without this. */
SHIM_EXPORT int shim_errno(void) { return rte_errno; }

SHIM_EXPORT const char *shim_strerror(int error) { return rte_strerror(error); }

/* The packet pool: default cache and private size, data room = RTE_MBUF_DEFAULT_BUF_SIZE (headroom included). */
SHIM_EXPORT struct rte_mempool *shim_pool_create(const char *name, uint32_t count, uint32_t cache)
{
    return rte_pktmbuf_pool_create(name, count, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
}

/* The pool's use for the metrics: mbufs taken (per-lcore caches count as free) and its size. */
SHIM_EXPORT uint32_t shim_pool_in_use(const struct rte_mempool *pool) { return rte_mempool_in_use_count(pool); }

SHIM_EXPORT uint32_t shim_pool_size(const struct rte_mempool *pool) { return pool->size; }

SHIM_EXPORT int shim_port_by_name(const char *name, uint16_t *port) { return rte_eth_dev_get_port_by_name(name, port); }

/*
 * rte_eth_dev_configure with rte_eth_conf built here (its layout is DPDK's business). RSS is asked for only when
 * there is more than one rx queue and the device hashes at all, on the IP/UDP/TCP hash types it supports.
 */
SHIM_EXPORT int shim_port_configure(uint16_t port, uint16_t rx_queues, uint16_t tx_queues, int *rss_enabled)
{
    struct rte_eth_dev_info info;
    struct rte_eth_conf conf;
    int rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0) {
        return rc;
    }
    memset(&conf, 0, sizeof(conf));
    *rss_enabled = 0;
    uint64_t hash = info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
    if (rx_queues > 1 && hash != 0) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_key = NULL;
        conf.rx_adv_conf.rss_conf.rss_hf = hash;
        *rss_enabled = 1;
    }
    return rte_eth_dev_configure(port, rx_queues, tx_queues, &conf);
}

/* Queue setup with the device's default queue configuration, on the port's socket. */
SHIM_EXPORT int shim_rx_queue_setup(uint16_t port, uint16_t queue, uint16_t descriptors, struct rte_mempool *pool)
{
    int socket = rte_eth_dev_socket_id(port);
    return rte_eth_rx_queue_setup(port, queue, descriptors, socket < 0 ? 0 : (unsigned)socket, NULL, pool);
}

SHIM_EXPORT int shim_tx_queue_setup(uint16_t port, uint16_t queue, uint16_t descriptors)
{
    int socket = rte_eth_dev_socket_id(port);
    return rte_eth_tx_queue_setup(port, queue, descriptors, socket < 0 ? 0 : (unsigned)socket, NULL);
}

SHIM_EXPORT int shim_port_start(uint16_t port) { return rte_eth_dev_start(port); }

SHIM_EXPORT int shim_port_stop(uint16_t port) { return rte_eth_dev_stop(port); }

SHIM_EXPORT int shim_port_close(uint16_t port) { return rte_eth_dev_close(port); }

/* Promiscuous mode: a router port must see frames for its configured MAC whatever the NIC's own MAC is. */
SHIM_EXPORT int shim_promiscuous_enable(uint16_t port) { return rte_eth_promiscuous_enable(port); }

SHIM_EXPORT int shim_mtu_set(uint16_t port, uint16_t mtu) { return rte_eth_dev_set_mtu(port, mtu); }

/* Link status without waiting (rte_eth_link_get_nowait): 1 up, 0 down; speed in Mb/s; negative on error. */
SHIM_EXPORT int shim_link_status(uint16_t port, uint32_t *speed_mbps)
{
    struct rte_eth_link link;
    int rc = rte_eth_link_get_nowait(port, &link);
    if (rc != 0) {
        return rc;
    }
    *speed_mbps = link.link_speed;
    return link.link_status;
}

/* rte_eth_stats_get flattened to six counters: ipackets, ibytes, opackets, obytes, imissed + ierrors, oerrors. */
SHIM_EXPORT int shim_stats(uint16_t port, uint64_t *out6)
{
    struct rte_eth_stats stats;
    int rc = rte_eth_stats_get(port, &stats);
    if (rc != 0) {
        return rc;
    }
    out6[0] = stats.ipackets;
    out6[1] = stats.ibytes;
    out6[2] = stats.opackets;
    out6[3] = stats.obytes;
    out6[4] = stats.imissed + stats.ierrors + stats.rx_nombuf;
    out6[5] = stats.oerrors;
    return 0;
}

/* How many extended statistics the driver keeps (rte_eth_xstats_get with no array). */
SHIM_EXPORT int shim_xstats_count(uint16_t port) { return rte_eth_xstats_get(port, NULL, 0); }

/* rte_eth_rx_burst / rte_eth_tx_burst are static inline: the fast path itself. */
SHIM_EXPORT uint16_t shim_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **mbufs, uint16_t count)
{
    return rte_eth_rx_burst(port, queue, mbufs, count);
}

SHIM_EXPORT uint16_t shim_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **mbufs, uint16_t count)
{
    return rte_eth_tx_burst(port, queue, mbufs, count);
}

SHIM_EXPORT void shim_mbuf_fields(struct shim_mbuf_fields *out)
{
    out->count = sizeof(*out) / sizeof(uint32_t);
    out->size = sizeof(struct rte_mbuf);
    out->buf_addr = offsetof(struct rte_mbuf, buf_addr);
    out->buf_len = offsetof(struct rte_mbuf, buf_len);
    out->data_off = offsetof(struct rte_mbuf, data_off);
    out->refcnt = offsetof(struct rte_mbuf, refcnt);
    out->nb_segs = offsetof(struct rte_mbuf, nb_segs);
    out->port = offsetof(struct rte_mbuf, port);
    out->ol_flags = offsetof(struct rte_mbuf, ol_flags);
    out->pkt_len = offsetof(struct rte_mbuf, pkt_len);
    out->data_len = offsetof(struct rte_mbuf, data_len);
    out->pool = offsetof(struct rte_mbuf, pool);
    out->next = offsetof(struct rte_mbuf, next);
    out->tx_offload = offsetof(struct rte_mbuf, tx_offload);
    out->headroom = RTE_PKTMBUF_HEADROOM;
}

/*
 * DPDK's own view of an mbuf, through its inline accessors: what a check of the fields .NET wrote compares against.
 * out5: rte_pktmbuf_mtod minus buf_addr (where DPDK thinks the frame starts), rte_pktmbuf_pkt_len,
 * rte_pktmbuf_data_len, rte_pktmbuf_headroom, rte_pktmbuf_mtod itself. Returns rte_mbuf_check's verdict (0 sane)
 * and its reason.
 */
SHIM_EXPORT int shim_mbuf_inspect(const struct rte_mbuf *m, uint64_t *out5, const char **reason)
{
    out5[0] = (uint64_t)(rte_pktmbuf_mtod(m, const char *) - (const char *)m->buf_addr);
    out5[1] = rte_pktmbuf_pkt_len(m);
    out5[2] = rte_pktmbuf_data_len(m);
    out5[3] = rte_pktmbuf_headroom(m);
    out5[4] = (uint64_t)(uintptr_t)rte_pktmbuf_mtod(m, void *);
    *reason = NULL;
    return rte_mbuf_check(m, 1, reason);
}

/* DPDK's own prepend and adjust, so a check can move the frame the way DPDK does and read the fields from .NET. */
SHIM_EXPORT int shim_mbuf_prepend(struct rte_mbuf *m, uint16_t count) { return rte_pktmbuf_prepend(m, count) == NULL ? -1 : 0; }

SHIM_EXPORT int shim_mbuf_adj(struct rte_mbuf *m, uint16_t count) { return rte_pktmbuf_adj(m, count) == NULL ? -1 : 0; }

SHIM_EXPORT int shim_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **mbufs, unsigned count)
{
    return rte_pktmbuf_alloc_bulk(pool, mbufs, count);
}

SHIM_EXPORT void shim_free_bulk(struct rte_mbuf **mbufs, unsigned count) { rte_pktmbuf_free_bulk(mbufs, count); }

SHIM_EXPORT void shim_free(struct rte_mbuf *m) { rte_pktmbuf_free(m); }

SHIM_EXPORT int shim_eal_cleanup(void) { return rte_eal_cleanup(); }

/* EAL's runtime directory (/var/run/dpdk/<file-prefix> for root), which EAL makes at init and never removes. */
SHIM_EXPORT const char *shim_runtime_dir(void) { return rte_eal_get_runtime_dir(); }

/*
 * A net_ring port whose receive and transmit rings are named separately (created on first use, found after), so two
 * such ports can face each other: port A (rx "x", tx "y") and port B (rx "y", tx "x") are a back-to-back cable with
 * no NIC. The vdev form --vdev=net_ring0 cannot do that: its rx ring is its tx ring, a loopback. The device is named
 * "net_ring_<name>" (rte_eth_from_rings' naming), so it opens like any other port by that name. Returns the port id,
 * or a negative errno.
 */
SHIM_EXPORT int shim_ring_port_create(const char *name, const char *rx_ring, const char *tx_ring, unsigned ring_size)
{
    struct rte_ring *rings[2];
    const char *names[2] = { rx_ring, tx_ring };
    for (int i = 0; i < 2; i++) {
        rings[i] = rte_ring_lookup(names[i]);
        if (rings[i] == NULL) {
            /* One producer and one consumer per ring: the port's tx side and its peer's rx side. */
            rings[i] = rte_ring_create(names[i], ring_size, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
        }
        if (rings[i] == NULL) {
            return -rte_errno;
        }
    }
    int port = rte_eth_from_rings(name, &rings[0], 1, &rings[1], 1, rte_socket_id());
    return port < 0 ? -rte_errno : port;
}

/*
 * Gives the calling (non-EAL) thread an lcore id, so mempool gets and puts use its per-lcore cache instead of the
 * shared ring. Our workers are .NET threads, not EAL lcores. Returns 0, or a negative errno (e.g. all lcores taken).
 */
SHIM_EXPORT int shim_thread_register(void) { return rte_thread_register() == 0 ? 0 : -rte_errno; }

SHIM_EXPORT void shim_thread_unregister(void) { rte_thread_unregister(); }
