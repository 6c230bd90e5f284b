package dev.klingbalances.notify;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The state in this process's memory: lost on restart, after which conditions that still hold
 * fire again (once), and resolutions of conditions that ended meanwhile are not sent.
 */
final class MemoryNotificationStateStore implements NotificationStateStore {

	private final ConcurrentMap<String, ConcurrentMap<ConditionKey, Instant>> firing = new ConcurrentHashMap<>();

	private final ConcurrentMap<ConditionKey, Instant> holding = new ConcurrentHashMap<>();

	@Override
	public Set<ConditionKey> firing(String webhook) {
		ConcurrentMap<ConditionKey, Instant> conditions = this.firing.get(webhook);
		return (conditions != null) ? Set.copyOf(conditions.keySet()) : Set.of();
	}

	@Override
	public boolean markFiring(String webhook, ConditionKey condition, Instant at) {
		return this.firing.computeIfAbsent(webhook, (name) -> new ConcurrentHashMap<>()).putIfAbsent(condition, at) == null;
	}

	@Override
	public boolean markResolved(String webhook, ConditionKey condition) {
		ConcurrentMap<ConditionKey, Instant> conditions = this.firing.get(webhook);
		return conditions != null && conditions.remove(condition) != null;
	}

	@Override
	public Instant holdingSince(ConditionKey condition, Instant now) {
		return this.holding.computeIfAbsent(condition, (key) -> now);
	}

	@Override
	public void cleared(ConditionKey condition) {
		this.holding.remove(condition);
	}

}
