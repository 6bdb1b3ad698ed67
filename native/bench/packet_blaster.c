/*
 * packet_blaster: sends the frames of a pcap file out of one interface, round robin, as fast as sendmmsg(2) on an
 * AF_PACKET socket allows (PACKET_QDISC_BYPASS), for a number of seconds; prints how many it sent.
 *
 *   packet_blaster IFNAME FRAMES.pcap SECONDS
 *
 * The end-to-end benchmark's traffic source (bench/ports/run). Why not trafgen: its zero-copy TX_RING keeps each
 * ring slot until the kernel frees the skb, and through the Linux bridge + vxlan path the slots stopped coming back
 * after a few hundred frames; sendmmsg copies each frame into its own skb, so nothing downstream can stall the
 * sender, and both contenders (kernel VXLAN and our AF_PACKET VTEP) see the same source.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAMES 1024
#define MAX_FRAME_BYTES 2048
#define BURST 64

static volatile sig_atomic_t stop_requested;

static void on_signal(int signal_number) { (void)signal_number; stop_requested = 1; }

struct frames {
    unsigned count;
    unsigned length[MAX_FRAMES];
    unsigned char data[MAX_FRAMES][MAX_FRAME_BYTES];
};

/* Classic pcap, either byte order, microsecond or nanosecond; Ethernet frames only. */
static int read_pcap(const char *path, struct frames *out)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "packet_blaster: %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint32_t header[6];
    if (fread(header, sizeof(header), 1, file) != 1) {
        fprintf(stderr, "packet_blaster: %s: no pcap header\n", path);
        fclose(file);
        return -1;
    }
    int swapped;
    if (header[0] == 0xa1b2c3d4 || header[0] == 0xa1b23c4d) {
        swapped = 0;
    } else if (header[0] == 0xd4c3b2a1 || header[0] == 0x4d3cb2a1) {
        swapped = 1;
    } else {
        fprintf(stderr, "packet_blaster: %s: not a classic pcap file (magic %08x)\n", path, header[0]);
        fclose(file);
        return -1;
    }
    uint32_t record[4];
    out->count = 0;
    while (out->count < MAX_FRAMES && fread(record, sizeof(record), 1, file) == 1) {
        uint32_t captured = swapped ? __builtin_bswap32(record[2]) : record[2];
        if (captured > MAX_FRAME_BYTES || fread(out->data[out->count], 1, captured, file) != captured) {
            fprintf(stderr, "packet_blaster: %s: record %u is truncated or over %d bytes\n", path, out->count, MAX_FRAME_BYTES);
            fclose(file);
            return -1;
        }
        out->length[out->count++] = captured;
    }
    fclose(file);
    if (out->count == 0) {
        fprintf(stderr, "packet_blaster: %s: no frames\n", path);
        return -1;
    }
    return 0;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: packet_blaster IFNAME FRAMES.pcap SECONDS\n");
        return 2;
    }
    const char *interface_name = argv[1];
    double duration = atof(argv[3]);
    static struct frames frames;
    if (read_pcap(argv[2], &frames) != 0) {
        return 1;
    }
    unsigned interface_index = if_nametoindex(interface_name);
    if (interface_index == 0) {
        fprintf(stderr, "packet_blaster: no interface %s: %s\n", interface_name, strerror(errno));
        return 1;
    }
    int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only, receive nothing */
    if (fd < 0) {
        fprintf(stderr, "packet_blaster: socket(AF_PACKET): %s (needs CAP_NET_RAW)\n", strerror(errno));
        return 1;
    }
    int one = 1;
    if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) != 0) {
        fprintf(stderr, "packet_blaster: PACKET_QDISC_BYPASS: %s (sending through the qdisc)\n", strerror(errno));
    }
    struct sockaddr_ll address;
    memset(&address, 0, sizeof(address));
    address.sll_family = AF_PACKET;
    address.sll_ifindex = (int)interface_index;
    address.sll_protocol = 0;
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
        fprintf(stderr, "packet_blaster: bind(%s): %s\n", interface_name, strerror(errno));
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    struct mmsghdr messages[BURST];
    struct iovec vectors[BURST];
    memset(messages, 0, sizeof(messages));
    for (int i = 0; i < BURST; i++) {
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    unsigned next = 0;
    unsigned long long sent = 0, refused = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (!stop_requested) {
        for (int i = 0; i < BURST; i++) {
            vectors[i].iov_base = frames.data[next];
            vectors[i].iov_len = frames.length[next];
            next = next + 1 == frames.count ? 0 : next + 1;
        }
        int n = sendmmsg(fd, messages, BURST, 0);
        if (n > 0) {
            sent += (unsigned long long)n;
        } else if (n < 0 && errno != EINTR && errno != EAGAIN && errno != ENOBUFS) {
            fprintf(stderr, "packet_blaster: sendmmsg: %s\n", strerror(errno));
            return 1;
        } else {
            refused++;
        }
        /* The clock is read once per burst of 64: cheap next to 64 sends. */
        if (seconds_since(&start) >= duration) {
            break;
        }
    }
    double elapsed = seconds_since(&start);
    printf("packet_blaster: sent %llu frames in %.3f s (%.3f Mpps), %llu refused bursts\n", sent, elapsed,
           (double)sent / elapsed / 1e6, refused);
    close(fd);
    return 0;
}
