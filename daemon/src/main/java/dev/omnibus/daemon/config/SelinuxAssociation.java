package dev.omnibus.daemon.config;

/**
 * {@code <selinux><associate own="NAME" context="CONTEXT"/></selinux>}: the target SELinux context
 * checked when a connection asks to own NAME. A later association for the same name replaces an
 * earlier one. Immutable; any thread.
 */
public record SelinuxAssociation(String ownName, String context, SourceLocation source) {}
