package dev.klingbalances.notify;

import java.time.Instant;
import java.util.Set;

/**
 * Which conditions each webhook has been told are firing, and since when a condition that needs
 * to persist ({@code error-after}) has held. In memory by default; a shared store (Redis) lets
 * several replicas and restarts notify each transition once: every replica evaluates the same
 * conditions, and the one whose {@link #markFiring} or {@link #markResolved} changes the state
 * is the one that sends.
 * <p>
 * Called from one evaluation at a time per process, every {@code balances.cache.sweep-interval}:
 * {@link #firing} once per webhook, the marks only on transitions.
 */
public interface NotificationStateStore {

	/** The conditions the webhook was sent FIRING for and not yet RESOLVED. */
	Set<ConditionKey> firing(String webhook);

	/**
	 * Marks the condition firing for the webhook unless it already is, atomically (Redis: SET NX).
	 * @return true when this call marked it: the caller then sends FIRING, exactly once
	 */
	boolean markFiring(String webhook, ConditionKey condition, Instant at);

	/**
	 * Marks the condition resolved for the webhook if it was firing, atomically (Redis: DEL
	 * returning 1).
	 * @return true when this call unmarked it: the caller then sends RESOLVED, exactly once
	 */
	boolean markResolved(String webhook, ConditionKey condition);

	/**
	 * When the condition was first seen holding in its current run; records {@code now} when
	 * not known yet (Redis: SET NX, then GET).
	 */
	Instant holdingSince(ConditionKey condition, Instant now);

	/** Forgets when the condition started holding: it no longer holds. Cheap when nothing is recorded. */
	void cleared(ConditionKey condition);

}
