/** JMH micro-benchmarks and the end-to-end comparison scripts. */
package dev.omnibus.bench;
