package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Service-wide behaviour of {@code /balances}; each provider has its own properties beside it.
 *
 * @param deadline how long {@code /balances} waits for upstreams before answering with what it has
 * @param cache snapshot cache behaviour
 * @param forecast history and forecast
 * @param alerts when something counts as worth a warning
 * @param picker {@code GET /balances/next}
 */
@Validated
@ConfigurationProperties("balances")
public record BalancesProperties(@NotNull @DefaultValue("4s") Duration deadline,
		@Valid @NotNull @DefaultValue Cache cache, @Valid @NotNull @DefaultValue ForecastSettings forecast,
		@Valid @NotNull @DefaultValue Alerts alerts, @Valid @NotNull @DefaultValue Picker picker) {

	/**
	 * @param maxNeed the largest {@code need} accepted (larger is a 400: no account holds that much)
	 * @param cachedPicks answers per view kept ready, for different products and needs (a view is
	 * rebuilt whenever its figures change, and its answers with it)
	 */
	public record Picker(@NotNull @DecimalMin("1") @DefaultValue("1000000000") BigDecimal maxNeed,
			@Min(0) @DefaultValue("64") int cachedPicks) {
	}

	/**
	 * @param window how far back the history of each account's figures is kept and used
	 * @param minSpan how much history a forecast needs before it says anything (Kling's figures
	 * move in steps, up to 12 h apart)
	 * @param resolution unchanged figures are recorded at most this often (a change is always
	 * recorded)
	 * @param maxSamples upper bound of recorded figures per account (the oldest go first)
	 * @param estimateStep {@code estimatedRemaining} is computed as of the start of the current
	 * step (whole seconds since the epoch), so an answer stays the same bytes, with the same
	 * entity tag on every replica, for a step at a time instead of changing every instant
	 */
	public record ForecastSettings(@NotNull @DefaultValue("7d") Duration window, @NotNull @DefaultValue("12h") Duration minSpan,
			@NotNull @DefaultValue("10m") Duration resolution, @Min(2) @DefaultValue("2000") int maxSamples,
			@NotNull @DefaultValue("1m") Duration estimateStep) {

		@AssertTrue(message = "balances.forecast.estimate-step must be a whole number of seconds, at least 1s")
		boolean isEstimateStepWholeSeconds() {
			return this.estimateStep.getNano() == 0 && this.estimateStep.getSeconds() >= 1;
		}

		@AssertTrue(message = "balances.forecast.min-span must be shorter than balances.forecast.window")
		boolean isMinSpanWithinWindow() {
			return this.minSpan.compareTo(this.window) < 0;
		}

	}

	/**
	 * When an account deserves someone's attention. The same settings drive the answer's
	 * {@code expiringSoon}, the low-balance threshold metric that the chart's alert rules compare
	 * against, and the webhook notifications.
	 *
	 * @param expiryWarning an active grant or an upstream session expiring within this is listed
	 * in the account's {@code expiringSoon} (and warned about)
	 * @param lowBalance low-balance threshold per unit ({@code units}, {@code credits}): an
	 * account whose remaining falls below it is low; no threshold, no low-balance warning
	 * @param accounts thresholds of single accounts, overriding the unit's
	 * @param runsOutWithin warn when the forecast runs out within this
	 * @param expiringUnusedWithin warn when the forecast sees capacity expire unused within this
	 * @param staleAfter warn when an account's figures have been stale (failed refreshes) this long
	 * @param errorAfter warn when an account's error has persisted this long
	 */
	public record Alerts(@NotNull @DefaultValue("7d") Duration expiryWarning,
			@NotNull @DefaultValue Map<String, @NotNull @DecimalMin("0") BigDecimal> lowBalance,
			@NotNull @DefaultValue List<@Valid AccountThreshold> accounts,
			@NotNull @DefaultValue("14d") Duration runsOutWithin,
			@NotNull @DefaultValue("7d") Duration expiringUnusedWithin, @NotNull @DefaultValue("1h") Duration staleAfter,
			@NotNull @DefaultValue("15m") Duration errorAfter) {

		/** The low-balance threshold of one account: its own, its unit's, or none. */
		public @Nullable BigDecimal lowBalanceOf(String provider, String account, String unit) {
			return this.accounts.stream()
				.filter((threshold) -> threshold.provider().equals(provider) && threshold.account().equals(account))
				.map(AccountThreshold::lowBalance)
				.findFirst()
				.orElseGet(() -> this.lowBalance.get(unit));
		}

	}

	/**
	 * @param provider provider name, e.g. {@code kling}
	 * @param account account id or e-mail
	 * @param lowBalance this account's low-balance threshold, in its provider's unit
	 */
	public record AccountThreshold(@NotBlank String provider, @NotBlank String account,
			@NotNull @DecimalMin("0") BigDecimal lowBalance) {
	}

	/** Which accounts the background sweep keeps fresh. */
	public enum KeepWarm {

		/** Every account of every provider, asked for or not (metrics and alerts never go stale). */
		ALL,
		/** Only accounts asked for within {@code keep-warm-for}. */
		REQUESTED

	}

	/**
	 * @param maxStale how long the last good snapshot stays servable (marked stale) after it was fetched
	 * @param errorTtl how long a failed fetch is remembered before the next request may try again
	 * (longer when the upstream's {@code Retry-After} asks for longer)
	 * @param refreshAhead share of the TTL after which a snapshot is refreshed in the background
	 * (0.8 = at 80 % of its freshness)
	 * @param refreshJitter spread of the refresh point per account: each account is refreshed
	 * ahead somewhere between {@code refresh-ahead - refresh-jitter} and {@code refresh-ahead} of
	 * its TTL (fixed per account), so accounts fetched together do not all come due together
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
	public record Cache(@NotNull @DefaultValue("24h") Duration maxStale, @NotNull @DefaultValue("30s") Duration errorTtl,
			@DecimalMin("0.1") @DecimalMax("1.0") @DefaultValue("0.8") double refreshAhead,
			@DecimalMin("0.0") @DecimalMax("0.5") @DefaultValue("0.2") double refreshJitter,
			@NotNull @DefaultValue("all") KeepWarm keepWarm,
			@NotNull @DefaultValue("30m") Duration keepWarmFor, @NotNull @DefaultValue("5s") Duration sweepInterval,
			@NotNull @DefaultValue("60s") Duration loadTimeout, @DefaultValue("true") boolean warmUp,
			@Min(1) @DefaultValue("10000") int maximumSize, @Min(1) @DefaultValue("16") int fetchConcurrency,
			@Min(1) @DefaultValue("10000") int fetchQueueCapacity) {

		@AssertTrue(message = "balances.cache.refresh-jitter must be smaller than balances.cache.refresh-ahead")
		boolean isJitterBelowRefreshAhead() {
			return this.refreshJitter < this.refreshAhead;
		}

	}

}
