package dev.klingbalances.demo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** How much the simulated accounts have been used since the demo upstreams started. */
final class DemoUsage {

	private final Clock clock;

	private final Instant started;

	private final double pace;

	/**
	 * @param pace {@code balances.demo.usage}: 1 the demo's own pace, 0 no use at all
	 */
	DemoUsage(Clock clock, double pace) {
		this.clock = clock;
		this.started = clock.instant();
		this.pace = pace;
	}

	/** Minutes of use so far: minutes since the start, times the pace. */
	double minutes() {
		return this.pace * Duration.between(this.started, this.clock.instant()).toMillis() / 60_000d;
	}

}
