/*
 * Echo baseline and load generator for bench/scripts/transport-echo.sh.
 *
 *   transport-echo server PATH                       plain blocking echo: one thread per connection,
 *                                                    read(2) then write(2) of what was read
 *   transport-echo client PATH stream SIZE SECS      a writer thread streams SIZE-byte writes, the
 *                                                    main thread reads the echo: bytes/s
 *   transport-echo client PATH pingpong SIZE SECS    write SIZE, read SIZE back, repeat: round trips/s
 *
 * The same client drives both the C server and the Java EventLoop server, so the difference is the
 * server alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *serve(void *arg) {
    int fd = (int)(long)arg;
    static __thread char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, n - off);
            if (w <= 0) goto out;
            off += w;
        }
    }
out:
    close(fd);
    return NULL;
}

static void addr(struct sockaddr_un *sa, const char *path) {
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    strncpy(sa->sun_path, path, sizeof sa->sun_path - 1);
}

static int server(const char *path) {
    struct sockaddr_un sa;
    addr(&sa, path);
    unlink(path);
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 128) < 0) { perror("listen"); return 1; }
    for (;;) {
        int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) { if (errno == EINTR) continue; perror("accept"); return 1; }
        pthread_t t;
        pthread_create(&t, NULL, serve, (void *)(long)c);
        pthread_detach(t);
    }
}

struct stream { int fd; size_t size; volatile int stop; };

static void *writer(void *arg) {
    struct stream *s = arg;
    char *buf = calloc(1, s->size);
    while (!s->stop) {
        for (size_t off = 0; off < s->size;) {
            ssize_t w = send(s->fd, buf + off, s->size - off, MSG_NOSIGNAL);
            if (w <= 0) return NULL;
            off += w;
        }
    }
    free(buf);
    return NULL;
}

static int client(const char *path, const char *mode, size_t size, double secs) {
    struct sockaddr_un sa;
    addr(&sa, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    for (int i = 0; connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0; i++) {
        if (i > 200) { perror("connect"); return 1; }
        usleep(50000);
    }
    char *buf = calloc(1, size < 65536 ? 65536 : size);
    double warm = now() + 1.0, start = 0, end = 0;
    unsigned long long bytes = 0, trips = 0;
    if (strcmp(mode, "pingpong") == 0) {
        for (;;) {
            double t = now();
            if (start == 0 && t >= warm) { start = t; trips = 0; }
            if (start != 0 && t >= start + secs) { end = t; break; }
            if (write(fd, buf, size) != (ssize_t)size) { perror("write"); return 1; }
            for (size_t got = 0; got < size;) {
                ssize_t n = read(fd, buf, size - got);
                if (n <= 0) { perror("read"); return 1; }
                got += n;
            }
            trips++;
        }
        printf("pingpong size=%zu round_trips_per_s=%.0f\n", size, trips / (end - start));
    } else {
        struct stream s = {fd, size, 0};
        pthread_t t;
        pthread_create(&t, NULL, writer, &s);
        for (;;) {
            ssize_t n = read(fd, buf, 65536);
            if (n <= 0) break;
            double tn = now();
            if (start == 0 && tn >= warm) { start = tn; bytes = 0; }
            bytes += n;
            if (start != 0 && tn >= start + secs) { end = tn; break; }
        }
        s.stop = 1;
        printf("stream size=%zu MiB_per_s=%.1f\n", size, bytes / (end - start) / 1048576.0);
        shutdown(fd, SHUT_RDWR); /* wakes the writer if it is blocked */
        pthread_join(t, NULL);
        close(fd);
        return 0;
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN); /* a peer gone mid-write is EPIPE, not death */
    if (argc == 3 && strcmp(argv[1], "server") == 0) return server(argv[2]);
    if (argc == 6 && strcmp(argv[1], "client") == 0)
        return client(argv[2], argv[3], strtoul(argv[4], NULL, 10), atof(argv[5]));
    fprintf(stderr, "usage: %s server PATH | client PATH stream|pingpong SIZE SECS\n", argv[0]);
    return 2;
}
