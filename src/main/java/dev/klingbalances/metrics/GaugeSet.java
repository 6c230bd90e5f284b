package dev.klingbalances.metrics;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Gauges kept equal to a set of rows: a new row is registered, a vanished row is removed (its
 * series ends), and a row that stays keeps its meter and only changes its value. Unlike
 * Micrometer's {@code MultiGauge} with overwrite, a series that stays is never removed and
 * re-registered, so a scrape in between cannot miss it (an alert's {@code for} would restart).
 */
final class GaugeSet {

	private final MeterRegistry registry;

	private final Map<GaugeRow, Cell> cells = new HashMap<>();

	GaugeSet(MeterRegistry registry) {
		this.registry = registry;
	}

	/** Makes the registered gauges exactly {@code rows}. */
	synchronized void apply(Map<GaugeRow, Double> rows) {
		for (Iterator<Map.Entry<GaugeRow, Cell>> it = this.cells.entrySet().iterator(); it.hasNext();) {
			Map.Entry<GaugeRow, Cell> entry = it.next();
			if (!rows.containsKey(entry.getKey())) {
				this.registry.remove(entry.getValue().gauge);
				it.remove();
			}
		}
		rows.forEach((row, value) -> {
			Cell cell = this.cells.get(row);
			if (cell == null) {
				this.cells.put(row, new Cell(this.registry, row, value));
			}
			else {
				cell.value = value;
			}
		});
	}

	/** How many series are registered. */
	synchronized int size() {
		return this.cells.size();
	}

	/** One registered series and the value it reports. */
	private static final class Cell {

		private volatile double value;

		private final Gauge gauge;

		Cell(MeterRegistry registry, GaugeRow row, double value) {
			this.value = value;
			this.gauge = Gauge.builder(row.gauge().meterName(), this, (cell) -> cell.value)
				.description(row.gauge().description())
				.baseUnit(row.gauge().baseUnit())
				.tags(row.tags())
				.strongReference(true)
				.register(registry);
		}

	}

}
