/**
 * The D-Bus wire format: types, signatures, names, marshalling, message views, validation,
 * match-rule and address parsing and the SASL state machine. No I/O, no dependencies.
 */
package dev.omnibus.wire;
