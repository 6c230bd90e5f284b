package dev.klingbalances.balance;

/** Lifecycle of a grant (a Kling resource pack, a useapi.net points entry). */
public enum GrantStatus {

	/** Usable now; the only status counted in an account's remaining and total. */
	ACTIVE,
	/** Bought but not yet in effect. */
	PENDING,
	EXPIRED,
	/** Used up. */
	EXHAUSTED,
	/** A status the upstream introduced after this service was written; the raw value is kept. */
	UNKNOWN

}
