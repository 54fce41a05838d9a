// The reference row: the smallest sensible epoll echo server in C. If the load generator
// drives this well beyond the node:net baseline, the baseline rows measure the servers and
// not the load generator. With --status-interval it also broadcasts the status line, which
// shows what the idle row's broadcast costs in the kernel alone. Built by bench/native.ts
// with the machine's `cc -O2`.
//
//   echo-server --port P --lifetime SEC [--status-interval MS]
//
// Listens on 127.0.0.1 only and prints "listening on 127.0.0.1:PORT" to stderr (the line
// the bench waits for). A short write keeps the rest and stops reading that connection
// until it is flushed, so its memory per connection stays bounded. alarm(lifetime) and
// PR_SET_PDEATHSIG end it even if the bench script dies.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 65536
#define CHUNK (64 * 1024)

struct pending {
  char *bytes;
  size_t len, off;
};

static struct pending pending[MAX_FDS];
static unsigned char open_fds[MAX_FDS];
static int active;
static char buf[CHUNK];
static int epfd;

static void drop(int fd) {
  free(pending[fd].bytes);
  pending[fd] = (struct pending){0};
  open_fds[fd] = 0;
  active--;
  close(fd);
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/** One status line to every connection; one that cannot take it now (a short write pending) skips it. */
static void broadcast(int maxfd) {
  char line[64];
  int len = snprintf(line, sizeof line, "Server status: %d active connections\n", active);
  for (int fd = 0; fd <= maxfd; fd++) {
    if (open_fds[fd] && pending[fd].bytes == NULL && write(fd, line, (size_t)len) < 0 && errno != EAGAIN) drop(fd);
  }
}

static void set_events(int fd, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.fd = fd};
  epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

/** Writes what is left of a short write; back to reading once it is all out. */
static void on_writable(int fd) {
  struct pending *p = &pending[fd];
  while (p->off < p->len) {
    ssize_t w = write(fd, p->bytes + p->off, p->len - p->off);
    if (w < 0) {
      if (errno != EAGAIN) drop(fd);
      return;
    }
    p->off += (size_t)w;
  }
  free(p->bytes);
  *p = (struct pending){0};
  set_events(fd, EPOLLIN);
}

static void on_readable(int fd) {
  ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0) {
    if (n == 0 || errno != EAGAIN) drop(fd);
    return;
  }
  ssize_t w = write(fd, buf, (size_t)n);
  if (w < 0) {
    if (errno != EAGAIN) {
      drop(fd);
      return;
    }
    w = 0;
  }
  if (w == n) return;
  struct pending *p = &pending[fd];
  p->len = (size_t)(n - w);
  p->off = 0;
  p->bytes = malloc(p->len);
  if (p->bytes == NULL) {
    drop(fd);
    return;
  }
  memcpy(p->bytes, buf + w, p->len);
  set_events(fd, EPOLLOUT);
}

int main(int argc, char **argv) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int port = 0;
  unsigned lifetime = 600;
  long long interval_ms = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--lifetime")) lifetime = (unsigned)atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--status-interval")) interval_ms = atoll(argv[i + 1]);
  }
  if (port < 0 || port > 65535 || lifetime == 0) {
    fprintf(stderr, "usage: echo-server --port P --lifetime SEC\n");
    return 2;
  }
  alarm(lifetime);
  signal(SIGPIPE, SIG_IGN);

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 4096) < 0) {
    perror("echo-server: listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(lfd, (struct sockaddr *)&addr, &len);
  fprintf(stderr, "listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));

  epfd = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event lev = {.events = EPOLLIN, .data.fd = lfd};
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev);
  struct epoll_event events[1024];
  int maxfd = lfd;
  long long next_status = interval_ms > 0 ? now_ms() + interval_ms : -1;
  for (;;) {
    int timeout = -1;
    if (next_status >= 0) {
      long long left = next_status - now_ms();
      if (left <= 0) {
        broadcast(maxfd);
        next_status += interval_ms;
        continue;
      }
      timeout = (int)left;
    }
    int n = epoll_wait(epfd, events, 1024, timeout);
    if (n < 0 && errno != EINTR) {
      perror("echo-server: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        int cfd;
        while ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          if (cfd >= MAX_FDS) {
            close(cfd);
            continue;
          }
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event ev = {.events = EPOLLIN, .data.fd = cfd};
          epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &ev);
          open_fds[cfd] = 1;
          active++;
          if (cfd > maxfd) maxfd = cfd;
        }
        continue;
      }
      // While a short write is pending the connection is not read (EPOLLHUP/ERR included).
      if (pending[fd].bytes != NULL) on_writable(fd);
      else on_readable(fd);
    }
  }
}
