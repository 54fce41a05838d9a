// The benchmark load generator: one epoll loop driving N loopback connections, so the
// server under test, not the client, is what saturates. Built by bench/native.ts with the
// machine's `cc -O2`; prints one JSON object per report line on stdout.
//
//   loadgen echo --port P --connections N --inflight M --size S --warmup SEC --duration SEC
//     Closed-loop ping-pong: each connection keeps M messages of S bytes in flight; every
//     S bytes echoed complete the oldest message and send the next. Round-trip latency is
//     recorded in a log-linear histogram (1/64 relative precision) for messages completed
//     inside the measured window; the echoed bytes are compared with what was sent.
//   loadgen hold --port P --connections N --max-hold SEC
//     Opens N idle connections, reports "connected", then reads and discards whatever the
//     server sends until stdin reaches EOF or max-hold passes, and reports "done".
//
// Both modes connect to 127.0.0.1 only, spread over --sources K source addresses
// (127.0.0.1..K) when one address has too few ephemeral ports, and count a connection as
// set up once the server has echoed a one-byte probe (see connect_all). Every loop is bounded by
// time, an alarm() kills a stuck run, and PR_SET_PDEATHSIG kills it with its parent.
// Connections are closed with RST (SO_LINGER 0) so runs leave no TIME_WAIT behind.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 100000
#define MAX_INFLIGHT 1024
#define MAX_SIZE (1 << 20)
/**
 * Connections being set up at once. The kernel completes a handshake before the server
 * accepts it, so "connected" alone does not pace us: a slow acceptor's backlog (511 in
 * Node) overflows and each dropped handshake costs a 1 s retransmit. A connection only
 * counts as set up once a probe byte has come back, which bounds the backlog to this.
 */
#define MAX_PENDING_CONNECTS 256
#define PROBE_BYTE '\n'
#define CONNECT_BUDGET_S 30.0
#define READ_CHUNK (256 * 1024)
#define WRITE_CHUNK (64 * 1024)
#define STDIN_TAG UINT64_MAX

enum conn_state { CONN_IDLE, CONN_CONNECTING, CONN_PROBING, CONN_OPEN, CONN_DEAD };

struct conn {
  int fd;
  enum conn_state state;
  uint64_t *sent; /* ring of send times (ns) of the messages in flight */
  unsigned head, count;
  size_t rx_off;  /* offset of the next expected byte within its message */
  size_t tx_owed; /* bytes of queued messages not yet written */
  size_t tx_off;  /* offset of the next byte to write within its message */
  int want_out;
};

struct options {
  const char *mode;
  int port, connections, inflight, size, sources;
  double warmup, duration, max_hold;
};

static struct conn *conns;
static int epfd;
static uint8_t *pattern; /* one message */
static uint8_t *txbuf;   /* the message repeated, so any offset starts a valid stream */
static uint8_t rxbuf[READ_CHUNK];
static uint64_t mismatches, errors;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
  printf("{\"error\":\"%s: %s\"}\n", what, strerror(errno));
  fflush(stdout);
  exit(1);
}

// ---- latency histogram: HdrHistogram's idea, 64 linear sub-buckets per power of two ----

#define SUB_BITS 6
#define HIST_BUCKETS (64 * 60)
static uint64_t hist[HIST_BUCKETS];
static uint64_t hist_count, hist_max;

static unsigned bucket_of(uint64_t v) {
  if (v < 128) return (unsigned)v;
  unsigned shift = (unsigned)(63 - __builtin_clzll(v)) - SUB_BITS;
  return shift * 64 + (unsigned)(v >> shift);
}

/** The middle of a bucket's range: at most 1/128 off the true value. */
static uint64_t value_of(unsigned index) {
  if (index < 128) return index;
  unsigned shift = index / 64 - 1;
  uint64_t low = (uint64_t)(index % 64 + 64) << shift;
  return low + ((1ull << shift) >> 1);
}

static void record(uint64_t ns) {
  hist[bucket_of(ns)]++;
  hist_count++;
  if (ns > hist_max) hist_max = ns;
}

static double percentile_us(double q) {
  if (hist_count == 0) return 0;
  uint64_t rank = (uint64_t)(q * (double)hist_count + 0.999999);
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (unsigned i = 0; i < HIST_BUCKETS; i++) {
    seen += hist[i];
    if (seen >= rank) return (double)(value_of(i) < hist_max ? value_of(i) : hist_max) / 1000.0;
  }
  return (double)hist_max / 1000.0;
}

// ---- connections -------------------------------------------------------------------

static void watch(struct conn *c, uint32_t events, int op) {
  struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)(c - conns)};
  if (epoll_ctl(epfd, op, c->fd, &ev) < 0) die("epoll_ctl");
}

static void kill_conn(struct conn *c) {
  if (c->state == CONN_DEAD) return;
  if (c->state == CONN_OPEN) errors++;
  c->state = CONN_DEAD;
  epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
}

static int start_connect(struct conn *c, int index, const struct options *o) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct linger lg = {.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  if (o->sources > 1) {
    // Delay the port choice to connect(), where it only has to be unique per 4-tuple.
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = 0};
    src.sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)(index % o->sources));
    if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) {
      close(fd);
      return -1;
    }
  }
  struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
  dst.sin_addr.s_addr = htonl(0x7f000001u);
  if (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  c->fd = fd;
  c->state = CONN_CONNECTING;
  watch(c, EPOLLOUT, EPOLL_CTL_ADD);
  return 0;
}

static void fail_setup(struct conn *c, uint64_t *failed) {
  (*failed)++;
  c->state = CONN_DEAD;
  epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
}

/**
 * Opens every connection, at most MAX_PENDING_CONNECTS at a time, each proven accepted by
 * the echo of one probe byte (or by any byte: a status line proves it as well); returns
 * how many opened. The probe's echo is consumed here, so measuring starts on a clean stream.
 */
static int connect_all(const struct options *o, uint64_t *failed) {
  struct epoll_event events[512];
  int next = 0, pending = 0, open = 0;
  uint64_t deadline = now_ns() + (uint64_t)(CONNECT_BUDGET_S * 1e9);
  while ((next < o->connections || pending > 0) && now_ns() < deadline) {
    while (next < o->connections && pending < MAX_PENDING_CONNECTS) {
      if (start_connect(&conns[next], next, o) == 0) pending++;
      else (*failed)++, conns[next].state = CONN_DEAD;
      next++;
    }
    int n = epoll_wait(epfd, events, 512, 100);
    for (int i = 0; i < n; i++) {
      struct conn *c = &conns[events[i].data.u64];
      if (c->state == CONN_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        char probe = PROBE_BYTE;
        if (err != 0 || write(c->fd, &probe, 1) != 1) {
          pending--;
          fail_setup(c, failed);
          continue;
        }
        c->state = CONN_PROBING;
        watch(c, EPOLLIN, EPOLL_CTL_MOD);
      } else if (c->state == CONN_PROBING) {
        ssize_t r = read(c->fd, rxbuf, 1);
        if (r < 0 && errno == EAGAIN) continue;
        pending--;
        if (r <= 0) {
          fail_setup(c, failed);
          continue;
        }
        c->state = CONN_OPEN;
        open++;
      }
    }
  }
  for (int i = 0; i < o->connections; i++) {
    if (conns[i].state == CONN_CONNECTING || conns[i].state == CONN_PROBING) fail_setup(&conns[i], failed);
  }
  return open;
}

// ---- echo mode ---------------------------------------------------------------------

static void flush(struct conn *c, size_t size) {
  while (c->tx_owed > 0) {
    size_t len = c->tx_owed < WRITE_CHUNK ? c->tx_owed : WRITE_CHUNK;
    ssize_t w = write(c->fd, txbuf + c->tx_off, len);
    if (w < 0) {
      if (errno == EAGAIN) break;
      kill_conn(c);
      return;
    }
    c->tx_owed -= (size_t)w;
    c->tx_off = (c->tx_off + (size_t)w) % size;
  }
  int want = c->tx_owed > 0;
  if (want != c->want_out) {
    c->want_out = want;
    watch(c, want ? EPOLLIN | EPOLLOUT : EPOLLIN, EPOLL_CTL_MOD);
  }
}

static void queue_message(struct conn *c, uint64_t t, unsigned inflight, size_t size) {
  c->sent[(c->head + c->count) % inflight] = t;
  c->count++;
  c->tx_owed += size;
}

/** Messages completed inside the measured window, and in the whole run (what the server's CPU time covers). */
static uint64_t completed, completed_total;

static void on_readable(struct conn *c, const struct options *o, uint64_t warm_end, uint64_t end) {
  size_t size = (size_t)o->size;
  unsigned inflight = (unsigned)o->inflight;
  ssize_t n = read(c->fd, rxbuf, sizeof rxbuf);
  if (n <= 0) {
    if (n < 0 && errno == EAGAIN) return;
    kill_conn(c); /* the server closed or reset: counted in errors */
    return;
  }
  uint64_t t = now_ns();
  size_t p = 0;
  while (p < (size_t)n) {
    size_t k = size - c->rx_off;
    if (k > (size_t)n - p) k = (size_t)n - p;
    if (memcmp(rxbuf + p, pattern + c->rx_off, k) != 0) mismatches++;
    c->rx_off += k;
    p += k;
    if (c->rx_off < size) break;
    c->rx_off = 0;
    if (c->count == 0) {
      mismatches++; /* more bytes came back than were sent */
      continue;
    }
    uint64_t sent = c->sent[c->head];
    c->head = (c->head + 1) % inflight;
    c->count--;
    completed_total++;
    if (t >= warm_end && t < end) {
      record(t - sent);
      completed++;
    }
    if (t < end) queue_message(c, t, inflight, size);
  }
  if (c->tx_owed > 0) flush(c, size);
}

static int run_echo(const struct options *o) {
  uint64_t failed = 0;
  uint64_t t_connect = now_ns();
  int open = connect_all(o, &failed);
  double connect_s = (double)(now_ns() - t_connect) / 1e9;
  if (open == 0) {
    printf("{\"error\":\"no connection could be opened (%llu failed)\"}\n", (unsigned long long)failed);
    return 1;
  }
  uint64_t t0 = now_ns();
  uint64_t warm_end = t0 + (uint64_t)(o->warmup * 1e9);
  uint64_t end = warm_end + (uint64_t)(o->duration * 1e9);
  for (int i = 0; i < o->connections; i++) {
    struct conn *c = &conns[i];
    if (c->state != CONN_OPEN) continue;
    c->sent = calloc((size_t)o->inflight, sizeof *c->sent);
    if (c->sent == NULL) die("calloc");
    for (int m = 0; m < o->inflight; m++) queue_message(c, t0, (unsigned)o->inflight, (size_t)o->size);
    flush(c, (size_t)o->size);
  }
  struct epoll_event events[1024];
  for (uint64_t t = now_ns(); t < end; t = now_ns()) {
    int timeout_ms = (int)((end - t) / 1000000u) + 1;
    int n = epoll_wait(epfd, events, 1024, timeout_ms);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      struct conn *c = &conns[events[i].data.u64];
      if (c->state != CONN_OPEN) continue;
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c, o, warm_end, end);
      if (c->state == CONN_OPEN && (events[i].events & EPOLLOUT)) flush(c, (size_t)o->size);
    }
  }
  double window = (double)(end - warm_end) / 1e9;
  printf(
      "{\"mode\":\"echo\",\"connections\":%d,\"connected\":%d,\"connect_failed\":%llu,\"connect_s\":%.3f,"
      "\"inflight\":%d,\"size\":%d,\"warmup_s\":%.3f,\"duration_s\":%.3f,\"messages\":%llu,\"messages_total\":%llu,"
      "\"msgs_per_s\":%.1f,\"mib_per_s\":%.2f,\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,"
      "\"p999\":%.1f,\"max\":%.1f},\"errors\":%llu,\"mismatches\":%llu}\n",
      o->connections, open, (unsigned long long)failed, connect_s, o->inflight, o->size, o->warmup, window,
      (unsigned long long)completed, (unsigned long long)completed_total, (double)completed / window,
      (double)completed * o->size / window / (1024.0 * 1024.0), percentile_us(0.5), percentile_us(0.9),
      percentile_us(0.99), percentile_us(0.999), (double)hist_max / 1000.0, (unsigned long long)errors,
      (unsigned long long)mismatches);
  return 0;
}

// ---- hold mode ---------------------------------------------------------------------

static int run_hold(const struct options *o) {
  uint64_t failed = 0;
  uint64_t t_connect = now_ns();
  int open = connect_all(o, &failed);
  printf("{\"event\":\"connected\",\"connections\":%d,\"connected\":%d,\"connect_failed\":%llu,\"connect_s\":%.3f}\n",
         o->connections, open, (unsigned long long)failed, (double)(now_ns() - t_connect) / 1e9);
  fflush(stdout);
  // stdin is the bench's "stop" signal; one that cannot be polled (a file) leaves only max-hold.
  struct epoll_event stdin_ev = {.events = EPOLLIN, .data.u64 = STDIN_TAG};
  epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &stdin_ev);
  uint64_t received = 0, closed_by_server = 0;
  uint64_t t0 = now_ns();
  uint64_t end = t0 + (uint64_t)(o->max_hold * 1e9);
  struct epoll_event events[1024];
  int stop = 0;
  for (uint64_t t = t0; !stop && t < end; t = now_ns()) {
    int n = epoll_wait(epfd, events, 1024, (int)((end - t) / 1000000u) + 1);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      if (events[i].data.u64 == STDIN_TAG) {
        char scratch[256];
        if (read(0, scratch, sizeof scratch) <= 0) stop = 1;
        continue;
      }
      struct conn *c = &conns[events[i].data.u64];
      if (c->state != CONN_OPEN) continue;
      ssize_t r = read(c->fd, rxbuf, sizeof rxbuf);
      if (r > 0) received += (uint64_t)r;
      else if (r == 0 || errno != EAGAIN) {
        closed_by_server++;
        kill_conn(c);
      }
    }
  }
  printf("{\"event\":\"done\",\"held_s\":%.3f,\"bytes_received\":%llu,\"closed_by_server\":%llu}\n",
         (double)(now_ns() - t0) / 1e9, (unsigned long long)received, (unsigned long long)closed_by_server);
  return 0;
}

// ---- main --------------------------------------------------------------------------

static int int_arg(const char *name, const char *v, int min, int max) {
  char *endp;
  long x = strtol(v, &endp, 10);
  if (*v == '\0' || *endp != '\0' || x < min || x > max) {
    fprintf(stderr, "loadgen: %s must be an integer in [%d, %d]\n", name, min, max);
    exit(2);
  }
  return (int)x;
}

static double seconds_arg(const char *name, const char *v) {
  char *endp;
  double x = strtod(v, &endp);
  if (*v == '\0' || *endp != '\0' || !(x >= 0 && x <= 3600)) {
    fprintf(stderr, "loadgen: %s must be seconds in [0, 3600]\n", name);
    exit(2);
  }
  return x;
}

int main(int argc, char **argv) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct options o = {.connections = 1, .inflight = 1, .size = 64, .sources = 1, .duration = 1, .max_hold = 10};
  if (argc < 2) {
    fprintf(stderr, "usage: loadgen echo|hold --port P [--connections N] [--inflight M] [--size S] "
                    "[--warmup SEC] [--duration SEC] [--max-hold SEC] [--sources K]\n");
    return 2;
  }
  o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--port")) o.port = int_arg(k, v, 1, 65535);
    else if (!strcmp(k, "--connections")) o.connections = int_arg(k, v, 1, MAX_CONNECTIONS);
    else if (!strcmp(k, "--inflight")) o.inflight = int_arg(k, v, 1, MAX_INFLIGHT);
    else if (!strcmp(k, "--size")) o.size = int_arg(k, v, 1, MAX_SIZE);
    else if (!strcmp(k, "--sources")) o.sources = int_arg(k, v, 1, 254);
    else if (!strcmp(k, "--warmup")) o.warmup = seconds_arg(k, v);
    else if (!strcmp(k, "--duration")) o.duration = seconds_arg(k, v);
    else if (!strcmp(k, "--max-hold")) o.max_hold = seconds_arg(k, v);
    else {
      fprintf(stderr, "loadgen: unknown option %s\n", k);
      return 2;
    }
  }
  int echo = !strcmp(o.mode, "echo");
  if ((!echo && strcmp(o.mode, "hold")) || o.port == 0) {
    fprintf(stderr, "loadgen: need a mode (echo or hold) and --port\n");
    return 2;
  }
  // A stuck run (a server that stopped answering) must not outlive its budget.
  alarm((unsigned)(CONNECT_BUDGET_S + (echo ? o.warmup + o.duration : o.max_hold) + 30));
  signal(SIGPIPE, SIG_IGN);

  conns = calloc((size_t)o.connections, sizeof *conns);
  pattern = malloc((size_t)o.size);
  txbuf = malloc((size_t)o.size + WRITE_CHUNK);
  if (conns == NULL || pattern == NULL || txbuf == NULL) die("malloc");
  for (int i = 0; i < o.size; i++) pattern[i] = (uint8_t)(i * 31 + 7);
  for (size_t i = 0; i < (size_t)o.size + WRITE_CHUNK; i++) txbuf[i] = pattern[i % (size_t)o.size];
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die("epoll_create1");
  int code = echo ? run_echo(&o) : run_hold(&o);
  fflush(stdout);
  return code;
}
