package dev.klingbalances.metrics;

import io.micrometer.core.instrument.Tags;

/**
 * One series of one gauge: which gauge and which labels. Its value lives beside it in a map.
 *
 * @param gauge the gauge
 * @param tags its labels (sorted by Micrometer, so equal label sets are equal rows)
 */
record GaugeRow(BalanceGauge gauge, Tags tags) {
}
