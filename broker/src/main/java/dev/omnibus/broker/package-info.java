/**
 * The bus: connections, peers, names, matches, replies, policy, quotas, monitors and the driver.
 * Everything here is owned by the single bus thread.
 */
package dev.omnibus.broker;
