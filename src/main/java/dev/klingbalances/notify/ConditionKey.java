package dev.klingbalances.notify;

import org.jspecify.annotations.Nullable;

/**
 * One condition of one account, or of a provider as a whole (its pool forecast, its account
 * list): what a notification fires and resolves for.
 *
 * @param type the condition
 * @param provider provider name
 * @param account account id or e-mail; null for the provider as a whole
 */
public record ConditionKey(EventType type, String provider, @Nullable String account) {

	/** A stable text form, e.g. {@code LOW_BALANCE/kling/team-a} or {@code RUNS_OUT/kling}: a store key. */
	public String id() {
		return this.type + "/" + this.provider + ((this.account != null) ? "/" + this.account : "");
	}

	/** What the condition is about, for people: {@code kling/team-a}, or {@code kling} for the provider. */
	String subject() {
		return this.provider + ((this.account != null) ? "/" + this.account : "");
	}

}
