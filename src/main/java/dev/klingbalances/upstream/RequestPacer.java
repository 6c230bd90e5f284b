package dev.klingbalances.upstream;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

import reactor.core.publisher.Mono;

/**
 * Keeps requests made with one credential at least a minimum interval apart, measured as a
 * sliding window from the previous request (not per calendar second), and holds a credential
 * back entirely when its upstream asked for a pause ({@code Retry-After}).
 * <p>
 * Resilience4j's rate limiter refreshes permits per fixed cycle, so it lets two calls through
 * at t = 0.99 s and t = 1.01 s; Kling's QPS rule forbids exactly that, hence this class.
 * Each call to {@link #acquire} reserves the next free slot, so concurrent callers queue in
 * order and every request (retries included) goes through the same gate.
 */
public final class RequestPacer {

	private final Duration minInterval;

	private final LongSupplier nanoClock;

	private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();

	public RequestPacer(Duration minInterval) {
		this(minInterval, System::nanoTime);
	}

	RequestPacer(Duration minInterval, LongSupplier nanoClock) {
		if (minInterval.isNegative()) {
			throw new IllegalArgumentException("minInterval must not be negative");
		}
		this.minInterval = minInterval;
		this.nanoClock = nanoClock;
	}

	public Duration minInterval() {
		return this.minInterval;
	}

	/**
	 * Completes when a request with this credential may be sent. The caller must send its
	 * request right after; a cancelled wait still uses up its slot, which only errs on the
	 * safe side.
	 * @param credential a stable key for the credential (a fingerprint, never the secret)
	 */
	public Mono<Void> acquire(String credential) {
		return Mono.defer(() -> {
			long waitNanos = reserve(credential);
			return (waitNanos <= 0) ? Mono.empty() : Mono.delay(Duration.ofNanos(waitNanos)).then();
		});
	}

	/** No request with this credential is sent before {@code pause} has passed from now. */
	public void holdOff(String credential, Duration pause) {
		long until = this.nanoClock.getAsLong() + pause.toNanos();
		slot(credential).holdUntil(until);
	}

	/** Reserves the next slot and returns how long to wait for it, in nanoseconds. */
	long reserve(String credential) {
		return slot(credential).reserve(this.nanoClock.getAsLong(), this.minInterval.toNanos());
	}

	private Slot slot(String credential) {
		return this.slots.computeIfAbsent(credential, (key) -> new Slot());
	}

	private static final class Slot {

		private boolean used;

		private long last;

		private boolean held;

		private long heldUntil;

		synchronized long reserve(long now, long interval) {
			long next = now;
			if (this.used && this.last + interval - next > 0) {
				next = this.last + interval;
			}
			if (this.held && this.heldUntil - next > 0) {
				next = this.heldUntil;
			}
			this.used = true;
			this.last = next;
			return next - now;
		}

		synchronized void holdUntil(long until) {
			if (!this.held || until - this.heldUntil > 0) {
				this.held = true;
				this.heldUntil = until;
			}
		}

	}

}
