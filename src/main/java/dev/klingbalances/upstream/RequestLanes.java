package dev.klingbalances.upstream;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * Where the requests of each credential take their turns. With one replica, this process's own
 * (the memory store's); with several on the Redis store, lanes every replica shares, so the
 * rate rules hold per credential, not per pod.
 */
public interface RequestLanes {

	/**
	 * The lane of one credential: its requests one at a time, each started {@code interval}
	 * after the previous one's turn ended. The same credential always gets the same lane.
	 * @param credential a stable key for the credential (a fingerprint, never the secret)
	 * @param turn when a request's turn ends
	 */
	Lane lane(String credential, Duration interval, Turn turn);

	/** When a request's turn in its lane ends, and the interval to the next one starts. */
	enum Turn {

		/**
		 * When its answer has come back (Kling's QPS rule per account: one request in flight,
		 * the next a second after the previous one ended, however late either arrives).
		 */
		UNTIL_ANSWERED,

		/**
		 * When it has been written to the connection: the next one is sent an interval after
		 * this one really left, while this one's answer may still be on its way (useapi.net's
		 * one token: a slow account must not hold up the others).
		 */
		UNTIL_SENT

	}

	/** The requests of one credential. */
	interface Lane {

		/**
		 * Runs {@code request} when it is its turn. Fails, without running it, with a
		 * {@code THROTTLED} {@link dev.klingbalances.balance.UpstreamException} when the wait
		 * would outlast the fetch's {@link dev.klingbalances.balance.FetchDeadline}, or with
		 * {@code STORE_UNAVAILABLE} when a shared lane cannot be reached.
		 */
		<T> Mono<T> run(Mono<T> request);

		/** No request starts before {@code pause} has passed from now ({@code Retry-After}). */
		void holdOff(Duration pause);

	}

}
