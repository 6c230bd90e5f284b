package dev.klingbalances.provider.useapi;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Whether the one useapi.net token can keep every account fresh. All calls share one pacer, at
 * most one per {@code 1 s / requests-per-second + pacing-margin}, and every account costs one
 * call per refresh; a polled account is refreshed once {@link #REFRESH_SHARE} of its TTL has
 * passed, so at most {@code 0.8 × cache-ttl / interval} accounts can stay fresh (fewer, since
 * retries and discovery share the pace and the interval also counts from the end of each call).
 * Beyond that some accounts are always stale. The count is known at start-up when e-mails are
 * configured, otherwise each time discovery answers; a WARN is logged whenever it changes to a
 * number over capacity, and the {@code upstreams} health group shows it (status stays UP: the
 * service still answers, with stale figures).
 */
final class UseapiCapacity implements HealthIndicator {

	/** The share of the TTL after which a polled account is refreshed (balances.cache.refresh-ahead's default). */
	static final double REFRESH_SHARE = 0.8;

	private static final Logger logger = LoggerFactory.getLogger(UseapiCapacity.class);

	private final UseapiProperties properties;

	private final int capacity;

	/** The last known number of accounts, -1 while unknown. */
	private final AtomicInteger accounts = new AtomicInteger(-1);

	UseapiCapacity(UseapiProperties properties) {
		this.properties = properties;
		this.capacity = capacity(properties.cacheTtl(), properties.minInterval());
	}

	static int capacity(Duration cacheTtl, Duration interval) {
		if (interval.isZero() || interval.isNegative()) {
			return Integer.MAX_VALUE;
		}
		double calls = REFRESH_SHARE * cacheTtl.toNanos() / interval.toNanos();
		return (calls >= Integer.MAX_VALUE) ? Integer.MAX_VALUE : (int) Math.floor(calls);
	}

	int capacity() {
		return this.capacity;
	}

	/** Records the number of accounts; warns when it changed and is over capacity. */
	void observe(int count) {
		int previous = this.accounts.getAndSet(count);
		if (previous != count && count > this.capacity) {
			logger.warn(warning(count));
		}
	}

	@Override
	public Health health() {
		int count = this.accounts.get();
		Health.Builder health = Health.up().withDetail("capacity", this.capacity);
		if (count >= 0) {
			health.withDetail("accounts", count);
		}
		if (count > this.capacity) {
			health.withDetail("warning", warning(count));
		}
		return health.build();
	}

	private String warning(int count) {
		return "useapi.net has " + count + " accounts, but one token paced at balances.useapi.requests-per-second="
				+ this.properties.requestsPerSecond() + " (plus balances.useapi.pacing-margin="
				+ this.properties.pacingMargin().toMillis() + "ms) keeps at most " + this.capacity
				+ " fresh within balances.useapi.cache-ttl=" + this.properties.cacheTtl().toSeconds()
				+ "s; the others will be served stale. Raise requests-per-second (if the useapi.net plan allows) or cache-ttl.";
	}

}
