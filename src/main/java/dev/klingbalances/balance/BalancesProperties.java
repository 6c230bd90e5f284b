package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.klingbalances.cache.CacheSettings;
import dev.klingbalances.forecast.ForecastSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
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
		@Valid @NotNull @DefaultValue @NestedConfigurationProperty CacheSettings cache,
		@Valid @NotNull @DefaultValue @NestedConfigurationProperty ForecastSettings forecast,
		@Valid @NotNull @DefaultValue Alerts alerts, @Valid @NotNull @DefaultValue Picker picker) {

	/**
	 * @param maxNeed the largest {@code need} accepted (larger is a 400: no account holds that much)
	 */
	public record Picker(@NotNull @DecimalMin("1") @DefaultValue("1000000000") BigDecimal maxNeed) {
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

}
