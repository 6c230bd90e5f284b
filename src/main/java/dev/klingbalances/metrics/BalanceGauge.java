package dev.klingbalances.metrics;

import org.jspecify.annotations.Nullable;

/**
 * The gauges this package publishes: Micrometer name (dotted; the Prometheus registry renders
 * {@code balances.remaining} as {@code balances_remaining} and appends the base unit), base
 * unit and description.
 */
enum BalanceGauge {

	REMAINING("balances.remaining", null, "Capacity left on the account's ACTIVE grants of the product, as /balances reports it per product"),
	ESTIMATED_REMAINING("balances.estimated.remaining", null,
			"Estimated capacity left on the account's ACTIVE grants of one product now (/balances' estimatedRemaining): the reported figure less the burn rate since the figures' moment"),
	GRANTED("balances.granted", null, "Capacity the account's ACTIVE grants of the product started with (/balances' products[].total)"),
	GRANT_REMAINING("balances.grant.remaining", null, "Capacity left on one ACTIVE or PENDING grant"),
	GRANT_EXPIRY("balances.grant.expiry.timestamp", "seconds", "When an ACTIVE or PENDING grant expires"),
	FETCHED("balances.fetched.timestamp", "seconds", "When the account's figures were fetched from the upstream"),
	CHECKED("balances.checked.timestamp", "seconds",
			"When this replica last learned the account's state: its figures' fetch or its latest failure, whichever is later"
					+ " (alert rules read the replica with the newest)"),
	STALE("balances.stale", null, "1 while the account's figures are stale (too old, or the latest refresh failed)"),
	ERROR("balances.error", null, "1 while the account's latest fetch failed with this error code"),
	SESSION_EXPIRY("balances.session.expiry.timestamp", "seconds",
			"When the upstream session the account is read through expires (useapi.net)"),
	RUNS_OUT("balances.runs.out.timestamp", "seconds",
			"When the product first runs out on the account at its forecast burn rate (a gap before a pending pack counts)"),
	REFILLS("balances.refills.timestamp", "seconds", "When the next pending pack of the product starts after that run-out"),
	EXPIRING_UNUSED("balances.expiring.unused", null, "Capacity that will expire before it is used at the forecast burn rate"),
	EXPIRING_UNUSED_BY("balances.expiring.unused.timestamp", "seconds", "When the first capacity expires unused"),
	BURN_PER_DAY("balances.burn.per.day", null, "Forecast consumption of the product per day, in the account's unit"),
	POOL_REMAINING("balances.pool.remaining", null, "Capacity of the product left over a provider's accounts with known figures"),
	POOL_RUNS_OUT("balances.pool.runs.out.timestamp", "seconds", "When a provider's pool of the product first runs out at the sum of the burn rates"),
	LOW_BALANCE_THRESHOLD("balances.low.balance.threshold", null,
			"The account's low-balance threshold (balances.alerts.low-balance), for alert rules to compare with");

	private final String meterName;

	private final @Nullable String baseUnit;

	private final String description;

	BalanceGauge(String meterName, @Nullable String baseUnit, String description) {
		this.meterName = meterName;
		this.baseUnit = baseUnit;
		this.description = description;
	}

	String meterName() {
		return this.meterName;
	}

	@Nullable String baseUnit() {
		return this.baseUnit;
	}

	String description() {
		return this.description;
	}

}
