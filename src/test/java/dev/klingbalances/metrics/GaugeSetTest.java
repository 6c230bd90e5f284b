package dev.klingbalances.metrics;

import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Gauges follow the rows: added, updated in place, removed. */
class GaugeSetTest {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final GaugeSet gauges = new GaugeSet(this.registry);

	private static final GaugeRow TEAM_A = new GaugeRow(BalanceGauge.REMAINING, Tags.of("account", "team-a"));

	private static final GaugeRow TEAM_B = new GaugeRow(BalanceGauge.REMAINING, Tags.of("account", "team-b"));

	private static final GaugeRow TEAM_C = new GaugeRow(BalanceGauge.REMAINING, Tags.of("account", "team-c"));

	@Test
	void aRowThatStaysKeepsItsMeterAndTakesTheNewValue() {
		this.gauges.apply(Map.of(TEAM_A, 1.0, TEAM_B, 2.0));
		Gauge teamA = gauge("team-a");

		this.gauges.apply(Map.of(TEAM_A, 5.0, TEAM_C, 3.0));

		assertThat(gauge("team-a")).isSameAs(teamA);
		assertThat(teamA.value()).isEqualTo(5.0);
		assertThat(gauge("team-c").value()).isEqualTo(3.0);
		assertThat(this.registry.find("balances.remaining").tag("account", "team-b").gauge()).isNull();
		assertThat(this.registry.find("balances.remaining").gauges()).hasSize(2);
		assertThat(this.gauges.size()).isEqualTo(2);
	}

	@Test
	void noRowsNoGauges() {
		this.gauges.apply(Map.of(TEAM_A, 1.0));

		this.gauges.apply(Map.of());

		assertThat(this.registry.getMeters()).isEmpty();
	}

	@Test
	void gaugesCarryTheirBaseUnitAndDescription() {
		this.gauges.apply(Map.of(new GaugeRow(BalanceGauge.RUNS_OUT, Tags.of("account", "team-a")), 1.7e9));

		Gauge runsOut = this.registry.get("balances.runs.out.timestamp").gauge();
		assertThat(runsOut.getId().getBaseUnit()).isEqualTo("seconds");
		assertThat(runsOut.getId().getDescription()).isNotBlank();
	}

	private Gauge gauge(String account) {
		return this.registry.get("balances.remaining").tag("account", account).gauge();
	}

}
