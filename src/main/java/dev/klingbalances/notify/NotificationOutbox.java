package dev.klingbalances.notify;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The notices not yet delivered, per webhook, oldest first: a notice joins it in the same
 * atomic step that records its transition ({@link NotificationStateStore#markFiring},
 * {@link NotificationStateStore#markResolved}) and leaves it only after a 2xx, a refusal that
 * another attempt cannot fix, or {@code balances.notify.give-up-after}. In memory by default;
 * with the Redis store it is in Redis, so it survives a restart and whichever replica leads
 * sends it. Every change names the notice it expects at the head, so a replica that lost the
 * lead mid-attempt cannot remove or postpone a notice another has dealt with meanwhile.
 */
public interface NotificationOutbox {

	/** The webhook's oldest undelivered notice, or null when there is none. */
	@Nullable Notice next(String webhook);

	/** Removes {@code notice} when it is still the webhook's oldest. @return whether it was */
	boolean remove(String webhook, Notice notice);

	/** Replaces {@code notice}, when it is still the webhook's oldest, with {@code later}. @return whether it was */
	boolean postpone(String webhook, Notice notice, Notice later);

	/** How many notices wait for the webhook. */
	int size(String webhook);

	/**
	 * One notice as it waits: the event (its id stays the same on every attempt, so receivers
	 * can deduplicate), the attempts made, and when the next may start.
	 *
	 * @param event what is sent
	 * @param attempts attempts made so far
	 * @param notBefore the next attempt starts at or after this
	 * @param lastFailure why the latest attempt failed (a status or an exception's class, never a
	 * URL); null before the first attempt
	 */
	public record Notice(NotificationEvent event, int attempts, Instant notBefore, @Nullable String lastFailure) {

		/** A new notice, to be sent at once. */
		public static Notice of(NotificationEvent event) {
			return new Notice(event, 0, event.occurredAt(), null);
		}

		/** This notice after a failed attempt at {@code now}: the next one after {@code wait}. */
		Notice failed(Instant now, Duration wait, String failure) {
			return new Notice(this.event, this.attempts + 1, now.plus(wait), failure);
		}

	}

}
