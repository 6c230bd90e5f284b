/**
 * Prometheus gauges of the balances (remaining, totals, forecasts, thresholds), built from the
 * same views the API serves. Settings: {@code balances.metrics.*}.
 * <p>
 * May import: {@code model}, {@code provider}, {@code balance}.
 */
package dev.klingbalances.metrics;
