/*
 * What splice(2) saves a bus daemon per large message: a relay process moves N messages of 64 KiB
 * from one AF_UNIX socketpair to another, either with read(2)+write(2) through a user buffer
 * (mode 0) or with splice(2) socket -> pipe -> socket (mode 1). A writer and a reader process
 * stand for the two clients. Prints the rate and the relay's own CPU per message.
 *
 *   gcc -O2 -o /tmp/splice-relay bench/e2e/splice-relay.c && /tmp/splice-relay 0 && /tmp/splice-relay 1
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG 65536
#define N 100000

static double cpu_seconds(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static void move_all(int from, int to, int mode, int pipefd[2], char *buf) {
    for (long done = 0; done < MSG;) {
        ssize_t n = mode == 0 ? read(from, buf + done, MSG - done)
                              : splice(from, NULL, pipefd[1], NULL, MSG - done, SPLICE_F_MOVE);
        if (n <= 0) { perror("in"); exit(1); }
        done += n;
    }
    for (long done = 0; done < MSG;) {
        ssize_t n = mode == 0 ? write(to, buf + done, MSG - done)
                              : splice(pipefd[0], NULL, to, NULL, MSG - done, SPLICE_F_MOVE);
        if (n <= 0) { perror("out"); exit(1); }
        done += n;
    }
}

int main(int argc, char **argv) {
    int mode = argc > 1 ? atoi(argv[1]) : 0;
    int a[2], b[2], p[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) || socketpair(AF_UNIX, SOCK_STREAM, 0, b) || pipe(p)) {
        perror("setup");
        return 1;
    }
    fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
    char *buf = malloc(MSG);
    memset(buf, 7, MSG);
    if (fork() == 0) { /* writer */
        for (int i = 0; i < N; i++)
            for (long o = 0; o < MSG;) o += write(a[0], buf + o, MSG - o);
        _exit(0);
    }
    if (fork() == 0) { /* reader */
        for (long total = 0; total < (long) MSG * N;) {
            ssize_t n = read(b[0], buf, MSG);
            if (n <= 0) break;
            total += n;
        }
        _exit(0);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double c0 = cpu_seconds();
    for (int i = 0; i < N; i++) move_all(a[1], b[1], mode, p, buf);
    double c1 = cpu_seconds();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    wait(NULL);
    wait(NULL);
    double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%s: %.0f messages/s, relay CPU %.2f us per 64 KiB message\n",
           mode == 0 ? "read+write" : "splice", N / wall, (c1 - c0) / N * 1e6);
    return 0;
}
