package dev.klingbalances.upstream;

import java.time.Duration;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.UpstreamException;

/**
 * The {@link RequestPacer} refused a caller whose wait would outlast its fetch: reported as
 * {@code THROTTLED} with {@code retryAfter} saying when the wait would have ended. Never retried
 * within the fetch ({@link RetryableUpstreamFailure}): the deadline does not move and the wait
 * does not get shorter by trying again a moment later.
 */
public final class PacingRefusedException extends UpstreamException {

	private PacingRefusedException(String message, Duration retryAfter) {
		super(ErrorCode.THROTTLED, message, null, retryAfter, null);
	}

	/** Calls are on hold (the upstream asked for a pause) for longer than the fetch may wait. */
	static PacingRefusedException held(long holdLeftNanos) {
		Duration holdLeft = Duration.ofNanos(holdLeftNanos);
		return new PacingRefusedException("Calls to this upstream are on hold for another " + seconds(holdLeft)
				+ " s (it asked for a pause), longer than this fetch may wait.", holdLeft);
	}

	/** The rate limit's queue is longer than the fetch may wait. */
	static PacingRefusedException queued(long waitNanos) {
		Duration wait = Duration.ofNanos(waitNanos);
		return new PacingRefusedException("Calls to this upstream are queued by its rate limit for another "
				+ seconds(wait) + " s, longer than this fetch may wait.", wait);
	}

	/**
	 * A shared lane's refusal (the Redis store): {@code message} says why, {@code wait} how long
	 * the caller would have waited at least.
	 */
	public static PacingRefusedException refused(String message, Duration wait) {
		return new PacingRefusedException(message, wait);
	}

	/** Whole seconds, rounded up: "0 s" would read as no wait at all. */
	private static long seconds(Duration duration) {
		return duration.plusNanos(999_999_999L).toSeconds();
	}

}
