/*
 * itr_baseline: the C yardstick for the C# ITR. A plain C loop doing what one worker's
 * ForwardingPipeline.Process does for the LispEncapsulationStageBenchmarks "v4-over-v4" case, on the same
 * packets and the same kind of tables:
 *
 *   per batch of 256: restore every frame (reset the data offset to the headroom, copy the 60-byte template),
 *   then the ITR work of itr_work.c on the batch (classify, local-EID checks in instance 7 / 10.1.0.0/24, DIR-24-8
 *   lookup, map-cache entry, flow hash, locator, underlay adjacency, TTL/MTU, encapsulation into the headroom).
 *   itr_dpdk_forward does the same work on mbufs between DPDK rx and tx bursts.
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
 * Build: scripts/build-native.sh (native/bench/CMakeLists.txt, -O2 -msse4.2, with itr_work.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "itr_work.h"

#define BATCH ITR_BATCH
#define BUFFER_SIZE 2048
#define HEADROOM 128
#define FRAME_LENGTH ITR_BASELINE_FRAME_LENGTH

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
    if (prefixes < 1 || prefixes > ITR_BASELINE_MAX_PREFIXES || seconds <= 0 || runs < 1 || runs > 100 || frame_count < BATCH ||
        frame_count > (1u << 24) || frame_count % BATCH != 0)
        usage();

    static struct itr itr;
    itr_baseline_tables(&itr, prefixes);

    uint8_t(*templates)[FRAME_LENGTH] = malloc((size_t)frame_count * FRAME_LENGTH);
    if (!templates)
        return 1;
    itr_baseline_frames(templates, frame_count, prefixes);
    uint32_t next_frame = 0;

    uint8_t *arena = aligned_alloc(64, (size_t)BATCH * BUFFER_SIZE);
    static struct itr_packet packets[BATCH];
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
                    struct itr_packet *p = &packets[i];
                    p->data_offset = HEADROOM;
                    p->length = FRAME_LENGTH;
                    p->disposition = ITR_PENDING;
                    memcpy(p->buffer + HEADROOM, batch_templates[i], FRAME_LENGTH);
                }
                itr_batch(&itr, packets, BATCH);
                if (dump && run == 0 && batches == 0 && k == 0) {
                    if (itr_write_pcap(dump, packets, 16) != 0) {
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
    struct itr_counters *c = &itr.counters;
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
