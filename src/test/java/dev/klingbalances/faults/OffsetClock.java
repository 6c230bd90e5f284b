package dev.klingbalances.faults;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock plus an adjustable offset: time keeps flowing (timeouts, pacing and the
 * deadline are real), but a test can jump ahead past a TTL or {@code max-stale} at once.
 */
final class OffsetClock extends Clock {

	private volatile Duration offset = Duration.ZERO;

	void advance(Duration by) {
		this.offset = this.offset.plus(by);
	}

	void reset() {
		this.offset = Duration.ZERO;
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("UTC only");
	}

	@Override
	public Instant instant() {
		return Instant.now().plus(this.offset);
	}

}
