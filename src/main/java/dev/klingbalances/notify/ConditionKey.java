package dev.klingbalances.notify;

import org.jspecify.annotations.Nullable;

/**
 * One condition of one account (or one product of it), or of a provider as a whole (its pool
 * of a product, its account list): what a notification fires and resolves for.
 *
 * @param type the condition
 * @param provider provider name
 * @param account account id or e-mail; null for the provider as a whole
 * @param product the product the condition is about (capacity conditions: low balance, run-out,
 * expiring unused); null for conditions of the whole account or list
 */
public record ConditionKey(EventType type, String provider, @Nullable String account, @Nullable String product) {

	/** A condition of a whole account (or of a provider's account list, with a null account). */
	public ConditionKey(EventType type, String provider, @Nullable String account) {
		this(type, provider, account, null);
	}

	/**
	 * A stable text form, e.g. {@code LOW_BALANCE/kling/team-a#video}, {@code RUNS_OUT/kling#image}
	 * or {@code STALE_DATA/kling/team-a}: a store key.
	 */
	public String id() {
		return this.type + "/" + this.provider + ((this.account != null) ? "/" + this.account : "")
				+ ((this.product != null) ? "#" + this.product : "");
	}

	/** What the condition is about, for people: {@code kling/team-a}, {@code kling/team-a (video)}, {@code kling}. */
	String subject() {
		return this.provider + ((this.account != null) ? "/" + this.account : "")
				+ ((this.product != null) ? " (" + this.product + ")" : "");
	}

}
