package dev.omnibus.daemon;

/** The version Omnibus reports (--version). */
final class Version {
    private Version() {}

    static final String VERSION = "0.1.0";
}
