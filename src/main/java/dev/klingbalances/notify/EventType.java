package dev.klingbalances.notify;

/**
 * What a notification is about: the same conditions as the chart's alert rules, evaluated on
 * {@code balances.alerts.*}. Part of the JSON event contract ({@code type}); never renamed.
 */
public enum EventType {

	/** An account's remaining capacity is below its low-balance threshold. */
	LOW_BALANCE,
	/** An account (or a provider's pool) runs out within {@code runs-out-within} at its burn rate. */
	RUNS_OUT,
	/** Capacity of an account will expire unused within {@code expiring-unused-within}. */
	EXPIRING_UNUSED,
	/** The upstream session an account is read through (useapi.net) expires within {@code expiry-warning}. */
	SESSION_EXPIRING,
	/** An account's figures have been stale for longer than {@code stale-after}. */
	STALE_DATA,
	/**
	 * An account (or a provider's account list) has failed for longer than {@code error-after}
	 * in a way someone must fix: credentials refused, account state (arrears, suspended,
	 * depleted, lapsed subscription), unknown account, rejected request, unreadable answer.
	 */
	ACCOUNT_ACTION_REQUIRED,
	/**
	 * An account (or a provider's account list) has failed for longer than {@code error-after}
	 * because the upstream is down, slow or throttling: waiting is the fix.
	 */
	UPSTREAM_OUTAGE

}
