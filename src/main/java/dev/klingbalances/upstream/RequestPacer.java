package dev.klingbalances.upstream;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.klingbalances.cache.FetchDeadline;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Keeps requests made with one credential at least a minimum interval apart, measured as a
 * sliding window from the previous request (not per calendar second), and holds a credential
 * back entirely when its upstream asked for a pause ({@code Retry-After}) or the caller wants
 * the next request spaced from the end of the previous one ({@link #holdOff}).
 * <p>
 * Resilience4j's rate limiter refreshes permits per fixed cycle, so it lets two calls through
 * at t = 0.99 s and t = 1.01 s; Kling's QPS rule forbids exactly that, hence this class.
 * Concurrent callers queue in order and every request (retries included) goes through the same
 * gate. A waiting caller is released only when, at that moment, the interval since the previous
 * release has passed and no hold is in force, so a hold that arrives while callers wait
 * (a {@code Retry-After}, the end of a request) applies to them too; a caller that gives up
 * leaves the queue without using a slot.
 * <p>
 * A wait longer than the fetch has left ({@link FetchDeadline} in the subscriber's context)
 * fails at once as {@code THROTTLED}, with {@code retryAfter} saying when the wait would have
 * ended, instead of running into the fetch's timeout. Without a deadline a caller waits as long
 * as it takes.
 */
public final class RequestPacer {

	/**
	 * The longest interval or hold the pacer works with, about 73 years: "never" for any caller,
	 * and short enough that no sum of two of them overflows (nor {@link Duration#toNanos}).
	 */
	static final long MAX_WAIT_NANOS = Long.MAX_VALUE / 4;

	private final Duration minInterval;

	private final long intervalNanos;

	private final LongSupplier nanoClock;

	private final Scheduler scheduler;

	private final ConcurrentMap<String, Gate> gates = new ConcurrentHashMap<>();

	public RequestPacer(Duration minInterval) {
		this(minInterval, System::nanoTime, Schedulers.parallel());
	}

	/**
	 * @param nanoClock the clock waits and deadlines are measured on ({@link System#nanoTime()})
	 * @param scheduler where waiting callers are woken up
	 */
	RequestPacer(Duration minInterval, LongSupplier nanoClock, Scheduler scheduler) {
		if (minInterval.isNegative()) {
			throw new IllegalArgumentException("minInterval must not be negative");
		}
		this.minInterval = minInterval;
		this.intervalNanos = nanos(minInterval);
		this.nanoClock = nanoClock;
		this.scheduler = scheduler;
	}

	public Duration minInterval() {
		return this.minInterval;
	}

	/**
	 * Completes when a request with this credential may be sent; the caller must send it right
	 * after. Fails with a {@code THROTTLED} {@link dev.klingbalances.balance.UpstreamException}
	 * when the wait would outlast the {@link FetchDeadline} in the subscriber's context.
	 * @param credential a stable key for the credential (a fingerprint, never the secret)
	 */
	public Mono<Void> acquire(String credential) {
		return Mono.deferContextual((context) -> {
			OptionalLong deadline = FetchDeadline.read(context);
			Gate gate = gate(credential);
			return Mono.create((sink) -> gate.enqueue(sink, deadline));
		});
	}

	/**
	 * No request with this credential is sent before {@code pause} has passed from now; callers
	 * already waiting are held back too. A shorter pause never shortens a longer one.
	 */
	public void holdOff(String credential, Duration pause) {
		gate(credential).holdFor(nanos(pause));
	}

	private Gate gate(String credential) {
		return this.gates.computeIfAbsent(credential, (key) -> new Gate());
	}

	private long now() {
		return this.nanoClock.getAsLong();
	}

	/** Nanoseconds in {@code duration}, at least 0 and at most {@link #MAX_WAIT_NANOS}; never overflows. */
	static long nanos(Duration duration) {
		if (duration.isNegative()) {
			return 0;
		}
		return (duration.compareTo(Duration.ofNanos(MAX_WAIT_NANOS)) > 0) ? MAX_WAIT_NANOS : duration.toNanos();
	}

	/** The callers of one credential, released in order. Times are {@link #nanoClock} readings. */
	private final class Gate {

		private final Deque<Waiter> waiting = new ArrayDeque<>();

		private boolean released;

		private long lastRelease;

		private boolean held;

		private long heldUntil;

		private @Nullable Disposable wakeUp;

		private long wakeUpAt;

		void enqueue(MonoSink<Void> sink, OptionalLong deadline) {
			Waiter waiter = new Waiter(sink, deadline);
			sink.onCancel(() -> leave(waiter));
			PacingRefusedException refusal = null;
			synchronized (this) {
				long now = now();
				// Those ahead each take an interval at least: a lower bound of the wait.
				long ahead = (this.waiting.size() > MAX_WAIT_NANOS / Math.max(1, intervalNanos)) ? MAX_WAIT_NANOS
						: this.waiting.size() * intervalNanos;
				long wait = Math.min(MAX_WAIT_NANOS, waitForNext(now) + ahead);
				refusal = waiter.refusal(now, wait, holdLeft(now));
				if (refusal == null) {
					this.waiting.add(waiter);
				}
			}
			if (refusal != null) {
				sink.error(refusal);
				return;
			}
			dispatch();
		}

		synchronized void holdFor(long pauseNanos) {
			long until = now() + pauseNanos;
			if (!this.held || until - this.heldUntil > 0) {
				this.held = true;
				this.heldUntil = until;
			}
		}

		/** Releases every caller whose turn has come, refuses those out of time, and wakes up for the rest. */
		void dispatch() {
			List<Waiter> go = new ArrayList<>();
			List<Refused> refused = new ArrayList<>();
			synchronized (this) {
				while (!this.waiting.isEmpty()) {
					long now = now();
					long wait = waitForNext(now);
					Waiter head = this.waiting.peek();
					PacingRefusedException refusal = head.refusal(now, wait, holdLeft(now));
					if (refusal != null) {
						this.waiting.poll();
						refused.add(new Refused(head, refusal));
					}
					else if (wait > 0) {
						wakeUpIn(now, wait);
						break;
					}
					else {
						this.waiting.poll();
						this.released = true;
						this.lastRelease = now;
						go.add(head);
					}
				}
			}
			// Outside the lock: a released caller sends its request (and may call holdOff) right away.
			refused.forEach((each) -> each.waiter().sink().error(each.refusal()));
			go.forEach((waiter) -> waiter.sink().success());
		}

		private synchronized void leave(Waiter waiter) {
			this.waiting.remove(waiter);
		}

		/** How long the next caller must wait from {@code now}: the interval, then any hold. */
		private long waitForNext(long now) {
			long wait = 0;
			if (this.released) {
				wait = Math.max(wait, intervalNanos - (now - this.lastRelease));
			}
			return Math.max(wait, holdLeft(now));
		}

		private long holdLeft(long now) {
			return this.held ? Math.max(0, this.heldUntil - now) : 0;
		}

		/** One pending wake-up, the earliest needed; it re-checks everything when it fires. */
		private void wakeUpIn(long now, long wait) {
			long at = now + wait;
			if (this.wakeUp != null && !this.wakeUp.isDisposed() && at - this.wakeUpAt >= 0) {
				return;
			}
			if (this.wakeUp != null) {
				this.wakeUp.dispose();
			}
			this.wakeUpAt = at;
			this.wakeUp = RequestPacer.this.scheduler.schedule(() -> {
				synchronized (this) {
					this.wakeUp = null;
				}
				dispatch();
			}, wait, TimeUnit.NANOSECONDS);
		}

	}

	/** A caller waiting for its turn; {@code deadline} is empty when it may wait as long as it takes. */
	private record Waiter(MonoSink<Void> sink, OptionalLong deadline) {

		/**
		 * The refusal for a wait that would outlast the deadline, or null. A wait caused by a hold
		 * that outlasts the deadline reports the rest of the hold as {@code retryAfter}; one caused
		 * by the queue, the whole wait.
		 */
		@Nullable PacingRefusedException refusal(long now, long wait, long holdLeft) {
			if (this.deadline.isEmpty() || wait <= 0) {
				return null;
			}
			long timeLeft = this.deadline.getAsLong() - now;
			if (wait <= timeLeft) {
				return null;
			}
			return (holdLeft > 0 && holdLeft > timeLeft) ? PacingRefusedException.held(holdLeft)
					: PacingRefusedException.queued(wait);
		}

	}

	private record Refused(Waiter waiter, PacingRefusedException refusal) {
	}

}
