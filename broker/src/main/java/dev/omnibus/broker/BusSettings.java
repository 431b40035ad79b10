package dev.omnibus.broker;

import dev.omnibus.wire.SaslServer;
import java.util.Set;

/**
 * What the daemon's configuration decides for the bus: its type, identity, limits, who may
 * connect and how, and the hooks for activation and policy. Immutable; a reload hands the bus a
 * new instance on the bus thread.
 *
 * @param type             "session", "system" or another name from {@code <type>}
 * @param guidHex          the server GUID (32 hex digits) sent in SASL OK and printed in addresses
 * @param mechanisms       the SASL mechanisms {@code <auth>} allows (all when the config names none)
 * @param allowAnonymous   {@code <allow_anonymous/>}: ANONYMOUS connections are accepted
 * @param ownerUid         the uid the bus runs as: with no policy saying otherwise, only it may connect
 * @param policy           decides who may connect, own names, send and receive
 * @param activation       the activatable services, or {@link Activator#NONE}
 * @param systemdActivation {@code --systemd-activation}: reported in the Features property
 */
public record BusSettings(
        String type,
        String guidHex,
        BusLimits limits,
        Set<SaslServer.Mechanism> mechanisms,
        boolean allowAnonymous,
        long ownerUid,
        Policy policy,
        Activator activation,
        boolean systemdActivation) {}
