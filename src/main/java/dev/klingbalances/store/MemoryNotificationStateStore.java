package dev.klingbalances.store;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.klingbalances.notify.ConditionKey;
import dev.klingbalances.notify.NotificationEvent;
import dev.klingbalances.notify.NotificationStateStore;
import org.jspecify.annotations.Nullable;

/**
 * The state and the outbox in this process's memory: lost on restart, after which conditions
 * that still hold fire again (once), resolutions of conditions that ended meanwhile are not
 * sent, and undelivered notices are gone. Marks and outbox changes hold this object's lock, so a
 * mark and its notice go together.
 */
public final class MemoryNotificationStateStore implements NotificationStateStore {

	private final Map<String, Map<ConditionKey, Instant>> firing = new HashMap<>();

	private final Map<String, ArrayDeque<Notice>> outbox = new HashMap<>();

	private final ConcurrentMap<ConditionKey, Instant> holding = new ConcurrentHashMap<>();

	@Override
	public synchronized Set<ConditionKey> firing(String webhook) {
		Map<ConditionKey, Instant> conditions = this.firing.get(webhook);
		return (conditions != null) ? Set.copyOf(conditions.keySet()) : Set.of();
	}

	@Override
	public synchronized Mark markFiring(String webhook, ConditionKey condition, NotificationEvent notice,
			int capacity) {
		Map<ConditionKey, Instant> conditions = this.firing.computeIfAbsent(webhook, (name) -> new HashMap<>());
		if (conditions.containsKey(condition)) {
			return Mark.UNCHANGED;
		}
		if (!queue(webhook, notice, capacity)) {
			return Mark.OUTBOX_FULL;
		}
		conditions.put(condition, notice.occurredAt());
		return Mark.MARKED;
	}

	@Override
	public synchronized Mark markResolved(String webhook, ConditionKey condition, NotificationEvent notice,
			int capacity) {
		Map<ConditionKey, Instant> conditions = this.firing.get(webhook);
		if (conditions == null || !conditions.containsKey(condition)) {
			return Mark.UNCHANGED;
		}
		if (!queue(webhook, notice, capacity)) {
			return Mark.OUTBOX_FULL;
		}
		conditions.remove(condition);
		return Mark.MARKED;
	}

	private boolean queue(String webhook, NotificationEvent notice, int capacity) {
		ArrayDeque<Notice> notices = this.outbox.computeIfAbsent(webhook, (name) -> new ArrayDeque<>());
		return notices.size() < capacity && notices.add(Notice.of(notice));
	}

	@Override
	public synchronized @Nullable Notice next(String webhook) {
		ArrayDeque<Notice> notices = this.outbox.get(webhook);
		return (notices != null) ? notices.peekFirst() : null;
	}

	@Override
	public synchronized boolean remove(String webhook, Notice notice) {
		if (!notice.equals(next(webhook))) {
			return false;
		}
		this.outbox.get(webhook).removeFirst();
		return true;
	}

	@Override
	public synchronized boolean postpone(String webhook, Notice notice, Notice later) {
		if (!remove(webhook, notice)) {
			return false;
		}
		this.outbox.get(webhook).addFirst(later);
		return true;
	}

	@Override
	public synchronized int size(String webhook) {
		ArrayDeque<Notice> notices = this.outbox.get(webhook);
		return (notices != null) ? notices.size() : 0;
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
