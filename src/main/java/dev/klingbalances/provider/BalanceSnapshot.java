package dev.klingbalances.provider;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.klingbalances.model.Grant;

/**
 * What a provider read for one account at one moment.
 *
 * @param grants every grant the upstream reported, in upstream order, whatever their status
 * @param details provider-specific facts worth showing (for example a session expiry), with
 * JSON-friendly values (strings, numbers, booleans, {@link java.time.Instant}); never a secret
 */
public record BalanceSnapshot(List<Grant> grants, Map<String, Object> details) {

	/**
	 * The {@code details} key of an {@link java.time.Instant}: when the upstream session the
	 * account is read through expires (useapi.net's Kling web session). Expiry warnings and
	 * metrics use it; the figures cannot be read after it.
	 */
	public static final String SESSION_EXPIRES_AT = "sessionExpiresAt";

	/**
	 * The {@code details} key of a number: how many jobs the account may run at once (useapi.net's
	 * {@code maxJobs}). {@code GET /balances/next} leaves out an account whose limit is 0.
	 */
	public static final String MAX_JOBS = "maxJobs";

	/**
	 * The {@code details} key of a number: how many job slots are free right now, for a provider
	 * that knows it. {@code GET /balances/next} leaves out an account with none free.
	 */
	public static final String FREE_JOB_SLOTS = "freeJobSlots";

	public BalanceSnapshot {
		grants = List.copyOf(grants);
		Map<String, Object> copy = new LinkedHashMap<>(details);
		// A snapshot read back from the shared store's JSON has the session expiry as text.
		if (copy.get(SESSION_EXPIRES_AT) instanceof String text) {
			try {
				copy.put(SESSION_EXPIRES_AT, Instant.parse(text));
			}
			catch (DateTimeParseException ex) {
				copy.remove(SESSION_EXPIRES_AT);
			}
		}
		details = Collections.unmodifiableMap(copy);
	}

}
