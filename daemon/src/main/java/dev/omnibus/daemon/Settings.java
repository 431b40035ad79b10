package dev.omnibus.daemon;

import dev.omnibus.broker.Activator;
import dev.omnibus.broker.BusLimits;
import dev.omnibus.broker.BusSettings;
import dev.omnibus.daemon.config.BusConfig;
import dev.omnibus.transport.Posix;
import dev.omnibus.wire.SaslServer;
import java.util.EnumSet;
import java.util.Set;

/** Maps a parsed configuration onto what the broker needs. Cold path (start-up and reload). */
final class Settings {
    private Settings() {}

    static BusSettings from(BusConfig config, String guid, Activator activator, boolean systemdActivation) {
        BusLimits limits = config.limits();
        long owner = Posix.geteuid();
        return new BusSettings(config.type(), guid, limits, mechanisms(config), config.allowAnonymous(), owner,
                new ConfigPolicy(config.policyRules(), owner, UserDatabase.load()), activator, systemdActivation);
    }

    private static Set<SaslServer.Mechanism> mechanisms(BusConfig config) {
        if (config.authMechanisms().isEmpty()) return EnumSet.allOf(SaslServer.Mechanism.class);
        Set<SaslServer.Mechanism> out = EnumSet.noneOf(SaslServer.Mechanism.class);
        for (String m : config.authMechanisms()) {
            switch (m) {
                case "EXTERNAL" -> out.add(SaslServer.Mechanism.EXTERNAL);
                case "DBUS_COOKIE_SHA1" -> out.add(SaslServer.Mechanism.DBUS_COOKIE_SHA1);
                case "ANONYMOUS" -> out.add(SaslServer.Mechanism.ANONYMOUS);
                default -> { }
            }
        }
        return out;
    }
}
