package dev.klingbalances.upstream;

import java.time.Duration;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The requests of one credential (a Kling account, the useapi.net token), one after another in
 * subscription order, each waiting for its {@link RequestPacer} slot.
 * <p>
 * Upstreams count their rate where requests arrive. A pacer slot is taken when a request
 * starts, but a request that first opens a connection (TCP and TLS), or whose thread is slow to
 * send it, reaches the upstream later than one on a kept-alive connection, so slots an interval
 * apart can arrive closer. Hence each request here starts only after the previous one has
 * ended (its answer came back, so it had arrived), and the interval is counted again from that
 * end ({@link RequestPacer#holdOff}): on arrival, two requests are never closer than the
 * interval.
 */
public final class RequestLane implements RequestLanes.Lane {

	private final RequestPacer pacer;

	private final String credential;

	private Mono<Void> last = Mono.empty();

	/**
	 * @param credential the pacer key: a fingerprint, never the secret
	 */
	public RequestLane(RequestPacer pacer, String credential) {
		this.pacer = pacer;
		this.credential = credential;
	}

	/** The gap between the end of one request and the start of the next. */
	Duration interval() {
		return this.pacer.minInterval();
	}

	/** Runs {@code request} once the previous request has ended and the pacer allows it. */
	@Override
	public <T> Mono<T> run(Mono<T> request) {
		return Mono.defer(() -> {
			Sinks.Empty<Void> ended = Sinks.empty();
			Mono<Void> previous;
			synchronized (this) {
				previous = this.last;
				this.last = ended.asMono();
			}
			return previous.then(this.pacer.acquire(this.credential)).then(request).doFinally((signal) -> {
				holdOff(this.pacer.minInterval());
				// cancelled while waiting: the next one still waits for the previous one
				previous.subscribe(null, null, ended::tryEmitEmpty);
			});
		});
	}

	/** No request starts before {@code pause} has passed from now (e.g. {@code Retry-After}). */
	@Override
	public void holdOff(Duration pause) {
		this.pacer.holdOff(this.credential, pause);
	}

}
