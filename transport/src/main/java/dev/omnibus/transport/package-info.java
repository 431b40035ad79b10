/**
 * Linux I/O through java.lang.foreign: the epoll loop, AF_UNIX and TCP sockets, fd passing,
 * peer credentials, eventfd and timers. Moves bytes and fds; knows nothing of D-Bus.
 */
package dev.omnibus.transport;
