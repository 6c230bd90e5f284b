package dev.klingbalances.balance;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Service-wide behaviour of {@code /balances}; each provider has its own properties beside it.
 *
 * @param deadline how long {@code /balances} waits for upstreams before answering with what it has
 * @param cache snapshot cache behaviour
 */
@Validated
@ConfigurationProperties("balances")
public record BalancesProperties(@NotNull @DefaultValue("4s") Duration deadline,
		@Valid @NotNull @DefaultValue Cache cache) {

	/**
	 * @param maxStale how long the last good snapshot stays servable (marked stale) after it was fetched
	 * @param errorTtl how long a failed fetch is remembered before the next request may try again
	 * @param refreshAhead share of the TTL after which a snapshot that is being asked for is
	 * refreshed in the background (0.8 = at 80 % of its freshness)
	 * @param keepWarmFor how long after the last request an account keeps being refreshed ahead
	 * @param sweepInterval how often the refresh-ahead sweep runs
	 * @param loadTimeout upper bound for one fetch including retries; a fetch never hangs longer
	 * @param warmUp fetch every account once at start-up (within the rate limits)
	 * @param maximumSize upper bound of cached snapshots per provider
	 */
	public record Cache(@NotNull @DefaultValue("24h") Duration maxStale, @NotNull @DefaultValue("30s") Duration errorTtl,
			@DecimalMin("0.1") @DecimalMax("1.0") @DefaultValue("0.8") double refreshAhead,
			@NotNull @DefaultValue("30m") Duration keepWarmFor, @NotNull @DefaultValue("5s") Duration sweepInterval,
			@NotNull @DefaultValue("60s") Duration loadTimeout, @DefaultValue("true") boolean warmUp,
			@Min(1) @DefaultValue("10000") int maximumSize) {
	}

}
