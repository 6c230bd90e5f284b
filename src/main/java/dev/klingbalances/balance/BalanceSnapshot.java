package dev.klingbalances.balance;

import java.util.List;
import java.util.Map;

/**
 * What a provider read for one account at one moment.
 *
 * @param grants every grant the upstream reported, in upstream order, whatever their status
 * @param details provider-specific facts worth showing (for example a session expiry), with
 * JSON-friendly values (strings, numbers, booleans, {@link java.time.Instant}); never a secret
 */
public record BalanceSnapshot(List<Grant> grants, Map<String, Object> details) {

	public BalanceSnapshot {
		grants = List.copyOf(grants);
		details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
	}

}
