package dev.klingbalances.cache;

import java.util.OptionalLong;

import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * The moment a fetch gives up, carried in the Reactor {@link Context} of the fetch so that code
 * deep inside a provider (the request pacer) can tell how long the fetch may still wait. The
 * cache writes it ({@code fetch.contextWrite(FetchDeadline.of(deadline))}); a pause that would
 * outlast it fails at once instead of running into the fetch's timeout.
 * <p>
 * The value is a {@link System#nanoTime()} reading, the monotonic clock waits are measured on,
 * never wall-clock time. No deadline in the context means no limit.
 */
public final class FetchDeadline {

	/** A private key object: nothing else can read or overwrite the entry by accident. */
	private static final Object KEY = new Object() {

		@Override
		public String toString() {
			return "FetchDeadline";
		}

	};

	private FetchDeadline() {
	}

	/**
	 * @param deadlineNanos the fetch's deadline as a {@link System#nanoTime()} value
	 */
	public static Context of(long deadlineNanos) {
		return Context.of(KEY, deadlineNanos);
	}

	/** The deadline in this context, or empty when the fetch has none. */
	public static OptionalLong read(ContextView context) {
		return context.<Long>getOrEmpty(KEY).map(OptionalLong::of).orElseGet(OptionalLong::empty);
	}

}
