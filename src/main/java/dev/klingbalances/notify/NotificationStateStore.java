package dev.klingbalances.notify;

import java.time.Instant;
import java.util.Set;

/**
 * Which conditions each webhook has been told (or has a notice waiting in the
 * {@link NotificationOutbox}) are firing, and since when a condition that needs to persist
 * ({@code error-after}) has held. In memory by default; a shared store (Redis) lets several
 * replicas and restarts notify each transition once: every replica evaluates the same
 * conditions, and the one whose {@link #markFiring} or {@link #markResolved} changes the state
 * is the one whose notice is queued.
 * <p>
 * A transition and its notice are recorded together, atomically: a transition is never
 * recorded without a notice that will be sent, nor queued twice.
 * <p>
 * Called from one evaluation at a time per process, every {@code balances.cache.sweep-interval}:
 * {@link #firing} once per webhook, the marks only on transitions.
 */
public interface NotificationStateStore extends NotificationOutbox {

	/** The conditions the webhook was sent (or has queued) FIRING for and not yet RESOLVED. */
	Set<ConditionKey> firing(String webhook);

	/**
	 * Marks the condition firing for the webhook and queues {@code notice} (its FIRING event) in
	 * the webhook's outbox, atomically (Redis: one script); unless it already is firing, or the
	 * outbox holds {@code capacity} notices (then nothing changes, and the next evaluation tries
	 * again).
	 */
	Mark markFiring(String webhook, ConditionKey condition, NotificationEvent notice, int capacity);

	/**
	 * Marks the condition resolved for the webhook and queues {@code notice} (its RESOLVED
	 * event), atomically; unless it was not firing, or the outbox is full.
	 */
	Mark markResolved(String webhook, ConditionKey condition, NotificationEvent notice, int capacity);

	/**
	 * When the condition was first seen holding in its current run; records {@code now} when
	 * not known yet (Redis: SET NX, then GET).
	 */
	Instant holdingSince(ConditionKey condition, Instant now);

	/** Forgets when the condition started holding: it no longer holds. Cheap when nothing is recorded. */
	void cleared(ConditionKey condition);

	/** What a mark did. */
	enum Mark {

		/** Recorded, and the notice queued: this caller's notice is the one that is sent. */
		MARKED,
		/** Already in that state (another replica, or an earlier evaluation, recorded it). */
		UNCHANGED,
		/** The webhook's outbox is full: nothing recorded, the transition is seen again next time. */
		OUTBOX_FULL

	}

}
