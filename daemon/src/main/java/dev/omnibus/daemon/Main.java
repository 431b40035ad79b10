package dev.omnibus.daemon;

/** Entry point of {@code omnibus-daemon}; replaced by the real command line as the daemon lands. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.err.println("omnibus-daemon: not yet implemented");
        System.exit(1);
    }
}
