package dev.klingbalances.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromQlNamesTest {

	@Test
	void findsTheMetricsAndNothingElse() {
		assertThat(PromQlNames.of("sum by (cache) (rate(balances_fetch_seconds_sum{job=~\"$job\"}[$__rate_interval])) "
				+ "/ sum by (cache) (rate(balances_fetch_seconds_count{job=~\"a{b}\"}[5m]))"))
			.containsExactly("balances_fetch_seconds_count", "balances_fetch_seconds_sum");
		assertThat(PromQlNames.of("time() - max without(instance, pod) (balances_fetched_timestamp_seconds) * 1000 > 0 "
				+ "unless ignoring(pod) up == bool 1"))
			.containsExactly("balances_fetched_timestamp_seconds", "up");
	}

}
