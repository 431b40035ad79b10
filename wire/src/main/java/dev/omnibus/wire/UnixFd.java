package dev.omnibus.wire;

/** A D-Bus UNIX_FD ('h') in the generic value model: the index into the message's fds. */
public record UnixFd(int index) {}
