package dev.klingbalances.store;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import dev.klingbalances.cache.FetchDeadline;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.upstream.PacingRefusedException;
import dev.klingbalances.upstream.RequestLanes;
import dev.klingbalances.upstream.RequestSent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Request lanes every replica shares: the pacing rule of each credential held in Redis, by
 * scripts that read Redis' own clock ({@code TIME}), so the replicas' clocks never matter.
 * Per credential, two keys: who holds the lane now ({@code ...:holder}, a random token per turn
 * with an expiry) and when the next turn may start at the earliest ({@code ...:next}, Redis time
 * in microseconds). A turn starts only when nobody holds the lane and that moment has come; when
 * it ends (with the answer, or once the request was sent, per {@link Turn}) the holder gives the
 * lane up and pushes the next start to an interval after that moment. {@link Lane#holdOff}
 * pushes it to at least now plus the pause. So on arrival, across every replica, two requests of
 * a credential are never closer than the interval after the end of the previous turn.
 * <p>
 * Within a replica, requests of a lane queue in order and only the first of them asks Redis.
 * While another replica holds the lane it asks again every {@link #POLL_INTERVAL};
 * while the next start is ahead, it waits exactly until then. A wait that cannot end before the
 * fetch's {@link FetchDeadline} fails at once as {@code THROTTLED}; a Redis that cannot be reached
 * fails the request as {@code STORE_UNAVAILABLE} without sending it.
 * <p>
 * A replica that dies holding a lane blocks it until the holder key expires: the longest request
 * (the providers' response timeout) plus the interval plus {@link #LOCK_MARGIN},
 * so even then the next request starts an interval after the dead one's could have ended.
 * Should Redis lose its keys (a restart without persistence, a flush), no lane starts a request
 * for that same time, since one started before may still be in flight (see the acquire script).
 */
final class RedisRequestLanes implements RequestLanes {

	/**
	 * Added to the longest request and the interval to bound a turn: a replica that dies
	 * mid-request blocks its credential no longer than that (formerly
	 * {@code balances.store.lane-lock-margin}; nobody had a reason to change it).
	 */
	static final Duration LOCK_MARGIN = Duration.ofSeconds(5);

	/**
	 * How often a replica waiting for a credential another replica is calling asks again: well
	 * below any pacing interval, a few Redis calls a second (formerly
	 * {@code balances.store.lane-poll-interval}).
	 */
	static final Duration POLL_INTERVAL = Duration.ofMillis(50);

	private static final Logger logger = LoggerFactory.getLogger(RedisRequestLanes.class);

	/**
	 * KEYS: holder, next, epoch. ARGV: token, holder expiry (ms), interval (µs), quiet time (µs),
	 * whether this replica has seen the epoch key before ('1' or '0').
	 * Returns {0, 0} when the turn is taken, {1, ms} while another holds the lane (ms: its
	 * expiry), {2, µs} while the next start is ahead (µs: how far).
	 * <p>
	 * The epoch key has no expiry. Missing while this replica has seen it, Redis has lost its
	 * keys (a restart without persistence, a flush, an eviction): every holder and next start is
	 * gone while requests started before may still be in flight, so no lane starts one for the
	 * quiet time (the longest a turn may be held). Missing on a replica that never saw it, Redis
	 * is new to this deployment and nothing waits.
	 */
	private static final String ACQUIRE_SOURCE = """
			local t = redis.call('TIME')
			local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
			local epoch = redis.call('GET', KEYS[3])
			if not epoch then
			  local quiet = 0
			  if ARGV[5] == '1' then
			    quiet = tonumber(ARGV[4])
			  end
			  epoch = now + quiet
			  redis.call('SET', KEYS[3], string.format('%.0f', epoch))
			else
			  epoch = tonumber(epoch)
			end
			if epoch > now then
			  return {2, epoch - now}
			end
			local holder = redis.call('GET', KEYS[1])
			if holder and holder ~= ARGV[1] then
			  return {1, redis.call('PTTL', KEYS[1])}
			end
			local nextStart = tonumber(redis.call('GET', KEYS[2]) or '0')
			if nextStart > now then
			  return {2, nextStart - now}
			end
			redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
			local floor = now + tonumber(ARGV[3])
			redis.call('SET', KEYS[2], string.format('%.0f', floor), 'PX', math.floor(tonumber(ARGV[3]) / 1000) + 1000)
			return {0, 0}
			""";

	/**
	 * KEYS: holder, next. ARGV: token (empty: none to give up), push (µs). Gives the lane up if
	 * the token still holds it, then moves the next start to at least now + push.
	 */
	private static final String PUSH_SOURCE = """
			local t = redis.call('TIME')
			local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
			if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) == ARGV[1] then
			  redis.call('DEL', KEYS[1])
			end
			local nextStart = now + tonumber(ARGV[2])
			local current = tonumber(redis.call('GET', KEYS[2]) or '0')
			if current > nextStart then
			  nextStart = current
			end
			redis.call('SET', KEYS[2], string.format('%.0f', nextStart), 'PX', math.floor((nextStart - now) / 1000) + 1000)
			return 1
			""";

	@SuppressWarnings("rawtypes")
	private final RedisScript<List> acquire;

	private final RedisScript<Long> push;

	private final StringRedisTemplate redis;

	private final StoreKeys keys;

	private final Duration longestRequest;

	private final Duration margin;

	private final Duration pollInterval;

	private final RedisStoreMonitor monitor;

	private final ConcurrentMap<String, SharedLane> lanes = new ConcurrentHashMap<>();

	/** Whether a lane script has answered here: from then on, a missing epoch means lost keys. */
	private final AtomicBoolean seenEpoch = new AtomicBoolean();

	/**
	 * @param longestRequest the longest a request may take (the providers' response timeout)
	 */
	RedisRequestLanes(StringRedisTemplate redis, StoreKeys keys, Duration longestRequest, RedisStoreMonitor monitor) {
		this(redis, keys, longestRequest, LOCK_MARGIN, POLL_INTERVAL, monitor);
	}

	/**
	 * @param longestRequest the longest a request may take (the providers' response timeout)
	 * @param margin added to it and the interval to bound a turn ({@link #LOCK_MARGIN})
	 * @param pollInterval how often a waiting replica asks again ({@link #POLL_INTERVAL})
	 */
	RedisRequestLanes(StringRedisTemplate redis, StoreKeys keys, Duration longestRequest, Duration margin,
			Duration pollInterval, RedisStoreMonitor monitor) {
		this.redis = redis;
		this.keys = keys;
		this.longestRequest = longestRequest;
		this.margin = margin;
		this.pollInterval = pollInterval;
		this.monitor = monitor;
		this.acquire = RedisScript.of(ACQUIRE_SOURCE, List.class);
		this.push = RedisScript.of(PUSH_SOURCE, Long.class);
	}

	@Override
	public Lane lane(String credential, Duration interval, Turn turn) {
		SharedLane lane = this.lanes.computeIfAbsent(credential, (key) -> new SharedLane(key, interval, turn));
		if (!lane.interval.equals(interval) || lane.turn != turn) {
			throw new IllegalArgumentException("The lane of this credential already paces differently");
		}
		return lane;
	}

	private static UpstreamException unavailable(RuntimeException cause) {
		return new UpstreamException(ErrorCode.STORE_UNAVAILABLE,
				"The shared store (Redis) could not be reached, so the request was not sent: the rate rules are kept there.",
				null, null, cause);
	}

	private static long micros(Duration duration) {
		return TimeUnit.NANOSECONDS.toMicros(duration.toNanos());
	}

	/** Whole seconds, rounded up: "0 s" would read as no wait at all. */
	private static long seconds(Duration duration) {
		return duration.plusNanos(999_999_999L).toSeconds();
	}

	/** One request's turn: its token in Redis, whether it took the lane, ended, gave the lane back. */
	private record TurnState(String token, AtomicBoolean holding, AtomicBoolean over, AtomicBoolean givenBack) {

		TurnState(String token) {
			this(token, new AtomicBoolean(), new AtomicBoolean(), new AtomicBoolean());
		}

	}

	private final class SharedLane implements Lane {

		private final String holderKey;

		private final String nextKey;

		private final Duration interval;

		private final Turn turn;

		/** How long a holder keeps the lane at most (see the class comment). */
		private final Duration holdFor;

		/** The end of the turn of the request queued last in this replica. */
		private Mono<Void> last = Mono.empty();

		/** The last hold pushed to Redis: a turn's end waits for it, so the two never cross. */
		private volatile Mono<Void> lastHold = Mono.empty();

		SharedLane(String credential, Duration interval, Turn turn) {
			this.holderKey = RedisRequestLanes.this.keys.laneHolder(credential);
			this.nextKey = RedisRequestLanes.this.keys.laneNext(credential);
			this.interval = interval;
			this.turn = turn;
			this.holdFor = RedisRequestLanes.this.longestRequest.plus(interval).plus(RedisRequestLanes.this.margin);
		}

		@Override
		public <T> Mono<T> run(Mono<T> request) {
			return Mono.defer(() -> {
				Sinks.Empty<Void> ended = Sinks.empty();
				Mono<Void> previous;
				synchronized (this) {
					previous = this.last;
					this.last = ended.asMono();
				}
				TurnState state = new TurnState(UUID.randomUUID().toString());
				Runnable endTurn = () -> {
					if (state.over.compareAndSet(false, true)) {
						// The lane is given up (if it was taken) before the next request here asks for
						// it; a request cancelled while waiting still lets the previous one finish first.
						Mono.when(previous, this.lastHold.then(Mono.defer(() -> giveBack(state))))
							.subscribe(null, null, ended::tryEmitEmpty);
					}
				};
				Mono<T> sent = (this.turn == Turn.UNTIL_SENT) ? request.contextWrite(RequestSent.listen(endTurn)) : request;
				// A hold this replica just set is in Redis before this request asks for its turn.
				return previous.then(Mono.defer(() -> this.lastHold))
					.then(take(state))
					.then(sent)
					.doFinally((signal) -> {
						endTurn.run();
						if (this.turn == Turn.UNTIL_SENT && state.holding.get()) {
							// The answer is back: a request that has not started yet waits an interval
							// from now too, in case this one was slow on its way in (as the local lane does).
							pushNext("", this.interval).subscribe();
						}
					});
			});
		}

		/** In Redis for every replica; this replica's next request waits until it is written. */
		@Override
		public void holdOff(Duration pause) {
			Mono<Void> hold = pushNext("", pause).cache();
			this.lastHold = hold;
			hold.subscribe();
		}

		/** Completes once this replica holds the lane and the next start has come. */
		private Mono<Void> take(TurnState state) {
			return Mono.deferContextual((context) -> attempt(state, FetchDeadline.read(context)));
		}

		private Mono<Void> attempt(TurnState state, OptionalLong deadline) {
			return call(() -> {
				List<?> answer = RedisRequestLanes.this.redis.execute(RedisRequestLanes.this.acquire,
						List.of(this.holderKey, this.nextKey, RedisRequestLanes.this.keys.laneEpoch()), state.token,
						Long.toString(this.holdFor.toMillis()), Long.toString(micros(this.interval)),
						Long.toString(micros(this.holdFor)), RedisRequestLanes.this.seenEpoch.get() ? "1" : "0");
				if (answer != null && ((Number) answer.get(0)).longValue() == 0) {
					// Noted as soon as Redis answers, not when the answer is taken up: a request
					// cancelled while the script ran drops the answer unread, and would leave its
					// reservation to block the lane until the holder key expires.
					state.holding.set(true);
					if (state.over.get()) {
						giveBack(state).subscribe();
					}
				}
				return answer;
			})
				.switchIfEmpty(Mono.error(() -> unavailable(new IllegalStateException("The lane script answered nothing"))))
				.flatMap((answer) -> {
					RedisRequestLanes.this.seenEpoch.set(true);
					long code = ((Number) answer.get(0)).longValue();
					long amount = ((Number) answer.get(1)).longValue();
					if (code == 0) {
						return Mono.<Void>empty();
					}
					// Held by another replica: at least an interval after its end. Otherwise exactly this.
					Duration wait = (code == 1) ? RedisRequestLanes.this.pollInterval : Duration.ofNanos(amount * 1000);
					Duration atLeast = (code == 1) ? this.interval : wait;
					if (deadline.isPresent() && System.nanoTime() + atLeast.toNanos() - deadline.getAsLong() > 0) {
						return Mono.error(refused(atLeast, code == 1));
					}
					return Mono.delay(wait).then(Mono.defer(() -> attempt(state, deadline)));
				});
		}

		/**
		 * Gives the lane up and pushes the next start an interval on, once per turn and only if
		 * the turn took the lane (its end and a cancellation during the script may both ask).
		 */
		private Mono<Void> giveBack(TurnState state) {
			if (state.holding.get() && state.givenBack.compareAndSet(false, true)) {
				return pushNext(state.token, this.interval);
			}
			return Mono.empty();
		}

		/** Gives the lane up (with a token) and moves the next start to at least now + {@code push}. */
		private Mono<Void> pushNext(String token, Duration push) {
			return call(() -> RedisRequestLanes.this.redis.execute(RedisRequestLanes.this.push,
					List.of(this.holderKey, this.nextKey), token, Long.toString(micros(push))))
				.onErrorResume((ex) -> {
					// The holder key expires by itself; the rule holds meanwhile (nothing starts without Redis).
					logger.warn("Could not update a shared request lane in Redis: {}", ex.getClass().getSimpleName());
					return Mono.empty();
				})
				.then();
		}

		private UpstreamException refused(Duration wait, boolean busy) {
			String message = busy
					? "Another replica is calling this upstream with the same credential; the next call could not start before this fetch gives up."
					: "Calls to this upstream are paced or on hold for another " + seconds(wait)
							+ " s, longer than this fetch may wait.";
			return PacingRefusedException.refused(message, wait);
		}

		/** A blocking Redis call, off the caller's thread (never an event loop's). */
		private <R> Mono<R> call(Supplier<R> operation) {
			return Mono.fromSupplier(operation).subscribeOn(Schedulers.boundedElastic()).onErrorMap((ex) -> {
				if (ex instanceof RuntimeException runtime) {
					RedisRequestLanes.this.monitor.failed(runtime);
					return unavailable(runtime);
				}
				return ex;
			});
		}

	}

}
