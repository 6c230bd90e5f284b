package dev.klingbalances.metrics;

import java.util.List;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.BalanceView;
import dev.klingbalances.balance.BalancesProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the all-providers answer of {@code /balances} as gauges. It reads the view the
 * cache holds ({@link BalanceService#view}), never fetches, and only rebuilds the rows when
 * the view is a new one; a scrape reads the registered values and touches nothing else.
 */
final class BalanceMetrics {

	private static final Logger logger = LoggerFactory.getLogger(BalanceMetrics.class);

	private final BalanceService service;

	private final BalancesProperties.Alerts alerts;

	private final GaugeSet gauges;

	private @Nullable BalanceView published;

	BalanceMetrics(BalanceService service, BalancesProperties properties, MeterRegistry registry) {
		this.service = service;
		this.alerts = properties.alerts();
		this.gauges = new GaugeSet(registry);
	}

	/** Brings the gauges in step with the current view; cheap when it has not changed. */
	synchronized void update() {
		try {
			BalanceView view = this.service.view(List.of());
			if (view == this.published) {
				return;
			}
			this.gauges.apply(BalanceRows.of(view.response(), this.alerts));
			this.published = view;
		}
		catch (RuntimeException ex) {
			// Keep the schedule alive: the next run tries again with the then current view.
			logger.error("Could not update the balance gauges", ex);
		}
	}

}
