package dev.klingbalances.cache;

import java.time.Duration;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The snapshot cache ({@code balances.cache.*}).
 *
 * @param maxStale how long the last good snapshot stays servable (marked stale) after it was fetched
 * @param errorTtl how long a failed fetch is remembered before the next request may try again
 * (longer when the upstream's {@code Retry-After} asks for longer)
 * @param refreshAhead share of the TTL after which a snapshot is refreshed in the background, at
 * the latest (0.8 = at 80 % of its freshness): each account is refreshed somewhere between
 * three quarters of it and all of it (0.6 to 0.8 of its TTL, fixed per account), so accounts
 * fetched together do not all come due together
 * @param keepWarm which accounts the sweep keeps fresh: {@code all}, or only the
 * {@code requested} ones
 * @param keepWarmFor with {@code keep-warm=requested}: how long after the last request an
 * account keeps being refreshed ahead
 * @param sweepInterval how often the refresh-ahead sweep runs
 * @param loadTimeout upper bound for one fetch including retries; a fetch never hangs longer
 * @param warmUp fetch every account once at start-up (within the rate limits)
 * @param maximumSize upper bound of cached snapshots per provider
 * @param fetchConcurrency fetches of one provider running at once; more wait their turn (keep
 * it at most the provider's bulkhead and connection pool, 16 by default)
 * @param fetchQueueCapacity fetches of one provider that may wait; beyond it a fetch is
 * refused as {@code THROTTLED}
 */
public record CacheSettings(@NotNull @DefaultValue("24h") Duration maxStale, @NotNull @DefaultValue("30s") Duration errorTtl,
		@DecimalMin("0.1") @DecimalMax("1.0") @DefaultValue("0.8") double refreshAhead,
		@NotNull @DefaultValue("all") KeepWarm keepWarm,
		@NotNull @DefaultValue("30m") Duration keepWarmFor, @NotNull @DefaultValue("5s") Duration sweepInterval,
		@NotNull @DefaultValue("60s") Duration loadTimeout, @DefaultValue("true") boolean warmUp,
		@Min(1) @DefaultValue("10000") int maximumSize, @Min(1) @DefaultValue("16") int fetchConcurrency,
		@Min(1) @DefaultValue("10000") int fetchQueueCapacity) {

	/** Which accounts the background sweep keeps fresh. */
	public enum KeepWarm {

		/** Every account of every provider, asked for or not (metrics and alerts never go stale). */
		ALL,
		/** Only accounts asked for within {@code keep-warm-for}. */
		REQUESTED

	}

}
