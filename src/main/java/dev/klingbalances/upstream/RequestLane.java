package dev.klingbalances.upstream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.klingbalances.upstream.RequestLanes.Turn;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The requests of one credential (a Kling account, the useapi.net token), one after another in
 * subscription order, each waiting for its {@link RequestPacer} slot.
 * <p>
 * Upstreams count their rate where requests arrive. A pacer slot is taken when a request
 * starts, but a request that first opens a connection (TCP and TLS), or whose thread is slow to
 * send it, reaches the upstream later than its slot, so slots an interval apart can arrive
 * closer. Hence a request's turn lasts until it has really left ({@link Turn#UNTIL_SENT}: the
 * HTTP client reports the moment it was written, see {@link RequestSent}) or until its answer
 * came back ({@link Turn#UNTIL_ANSWERED}), and the next request's interval is counted from
 * that moment ({@link RequestPacer#holdOff}). With {@link Turn#UNTIL_SENT} the end of a request
 * holds back, by an interval, a next one that has not been released yet: had it been slow on its
 * way in, the two still arrive an interval apart.
 */
public final class RequestLane implements RequestLanes.Lane {

	private final RequestPacer pacer;

	private final String credential;

	private final Turn turn;

	private Mono<Void> last = Mono.empty();

	/**
	 * @param credential the pacer key: a fingerprint, never the secret
	 * @param turn when a request's turn ends
	 */
	public RequestLane(RequestPacer pacer, String credential, Turn turn) {
		this.pacer = pacer;
		this.credential = credential;
		this.turn = turn;
	}

	public Turn turn() {
		return this.turn;
	}

	/** The gap between the end of one request and the start of the next. */
	public Duration interval() {
		return this.pacer.minInterval();
	}

	/** Runs {@code request} once the previous request's turn has ended and the pacer allows it. */
	@Override
	public <T> Mono<T> run(Mono<T> request) {
		return Mono.defer(() -> {
			Sinks.Empty<Void> ended = Sinks.empty();
			Mono<Void> previous;
			synchronized (this) {
				previous = this.last;
				this.last = ended.asMono();
			}
			AtomicBoolean over = new AtomicBoolean();
			Runnable endTurn = () -> {
				if (over.compareAndSet(false, true)) {
					holdOff(this.pacer.minInterval());
					// cancelled while waiting: the next one still waits for the previous one
					previous.subscribe(null, null, ended::tryEmitEmpty);
				}
			};
			Mono<T> sent = (this.turn == Turn.UNTIL_SENT) ? request.contextWrite(RequestSent.listen(endTurn)) : request;
			// Whatever happens (no connection, a timeout, cancellation), the turn ends with the request.
			return previous.then(this.pacer.acquire(this.credential)).then(sent).doFinally((signal) -> {
				endTurn.run();
				if (this.turn == Turn.UNTIL_SENT) {
					// The answer is back: a request not released yet waits an interval from now
					// too, in case this one was slow on its way in.
					holdOff(this.pacer.minInterval());
				}
			});
		});
	}

	/** No request starts before {@code pause} has passed from now (e.g. {@code Retry-After}). */
	@Override
	public void holdOff(Duration pause) {
		this.pacer.holdOff(this.credential, pause);
	}

}
