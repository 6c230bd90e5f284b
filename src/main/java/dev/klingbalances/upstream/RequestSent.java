package dev.klingbalances.upstream;

import java.util.Optional;

import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Tells a request's lane the moment the request has been written to the connection, so the next
 * request's interval counts from when this one really left, not from when its turn came (a busy
 * machine can send a request late) and not from its answer (a slow answer must not hold up the
 * others). The lane puts a callback into the request's Reactor context;
 * {@link UpstreamWebClients}' HTTP client calls it once the request is sent.
 */
public final class RequestSent {

	private static final Object KEY = new Object() {

		@Override
		public String toString() {
			return "kling-balances.request-sent";
		}

	};

	private RequestSent() {
	}

	/** The context in which {@code onSent} is told that the request has been sent. */
	public static Context listen(Runnable onSent) {
		return Context.of(KEY, onSent);
	}

	/** Called by the HTTP client when a request has been sent. */
	static void sent(ContextView context) {
		Optional<Runnable> onSent = context.getOrEmpty(KEY);
		onSent.ifPresent(Runnable::run);
	}

}
