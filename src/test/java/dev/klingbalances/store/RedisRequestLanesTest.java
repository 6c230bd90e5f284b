package dev.klingbalances.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.klingbalances.cache.FetchDeadline;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.upstream.RequestLanes.Lane;
import dev.klingbalances.upstream.RequestLanes.Turn;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * {@link RedisRequestLanes} against a real Redis: two pods' lanes of one credential keep Kling's
 * rule between them (one request in flight, the next an interval after the previous one's
 * answer), a hold set by one pod holds the other back, and a wait beyond the fetch's deadline is
 * refused without calling; a request cancelled while taking its turn gives the lane back.
 */
class RedisRequestLanesTest extends TwoPodsOnOneRedis {

	private static final Duration INTERVAL = Duration.ofMillis(200);

	/** Longer than the interval: a lane counting from the start would have two calls in flight. */
	private static final Duration CALL = Duration.ofMillis(300);

	/**
	 * Redis counts the interval on its clock (the wall clock), this test measures on
	 * {@link System#nanoTime()}: the two may drift apart by microseconds during a run (NTP
	 * slewing), never by a millisecond.
	 */
	private static final long CLOCK_TOLERANCE_NANOS = Duration.ofMillis(1).toNanos();

	private RedisRequestLanes lanes(RedisPod pod) {
		return new RedisRequestLanes(pod.redis, pod.keys, Duration.ofSeconds(2), RedisPod.LANE_LOCK_MARGIN, RedisPod.LANE_POLL_INTERVAL, pod.monitor);
	}

	@Test
	void twoPodsNeverCallOneCredentialWithinTheIntervalOfThePreviousAnswer() {
		Lane laneA = lanes(this.podA).lane("kling:abc", INTERVAL, Turn.UNTIL_ANSWERED);
		Lane laneB = lanes(this.podB).lane("kling:abc", INTERVAL, Turn.UNTIL_ANSWERED);
		Upstream upstream = new Upstream();
		List<Mono<String>> requests = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			requests.add(laneA.run(upstream.call("a" + i)));
			requests.add(laneB.run(upstream.call("b" + i)));
		}

		List<String> answers = Flux.merge(requests).collectList().block(Duration.ofSeconds(30));

		assertThat(answers).hasSize(10);
		assertThat(upstream.maxInFlight).as("requests in flight at once").hasValue(1);
		List<Call> calls = upstream.calls();
		assertThat(calls).extracting(Call::name).anyMatch((name) -> name.startsWith("a")).anyMatch((name) -> name.startsWith("b"));
		for (int i = 1; i < calls.size(); i++) {
			long gap = calls.get(i).start() - calls.get(i - 1).end();
			assertThat(gap + CLOCK_TOLERANCE_NANOS).as("from the answer of %s to the start of %s", calls.get(i - 1).name(),
					calls.get(i).name())
				.isGreaterThanOrEqualTo(INTERVAL.toNanos());
		}
	}

	@Test
	void aHoldSetByOnePodHoldsTheOtherBackAndAWaitBeyondTheDeadlineIsRefused() {
		Lane laneA = lanes(this.podA).lane("kling:abc", INTERVAL, Turn.UNTIL_ANSWERED);
		Lane laneB = lanes(this.podB).lane("kling:abc", INTERVAL, Turn.UNTIL_ANSWERED);
		Upstream upstream = new Upstream();

		laneA.holdOff(Duration.ofSeconds(30));
		// Written asynchronously: pod A's own next request waits until it is in Redis.
		Throwable refusedA = catchThrowable(() -> laneA.run(upstream.call("a"))
			.contextWrite(FetchDeadline.of(System.nanoTime() + Duration.ofSeconds(5).toNanos()))
			.block(Duration.ofSeconds(10)));
		Throwable refusedB = catchThrowable(() -> laneB.run(upstream.call("b"))
			.contextWrite(FetchDeadline.of(System.nanoTime() + Duration.ofSeconds(5).toNanos()))
			.block(Duration.ofSeconds(10)));

		for (Throwable refused : List.of(refusedA, refusedB)) {
			assertThat(refused).isInstanceOfSatisfying(UpstreamException.class, (ex) -> {
				assertThat(ex.code()).isEqualTo(ErrorCode.THROTTLED);
				assertThat(ex.retryAfter()).isGreaterThan(Duration.ofSeconds(25));
			});
		}
		assertThat(upstream.calls()).isEmpty();
	}

	@Test
	void aPodWaitsForTheOtherPodsCallThenAnInterval() {
		Lane laneA = lanes(this.podA).lane("kling:abc", INTERVAL, Turn.UNTIL_ANSWERED);
		Lane laneB = lanes(this.podB).lane("kling:abc", INTERVAL, Turn.UNTIL_ANSWERED);
		Upstream upstream = new Upstream();

		laneA.run(upstream.call("a")).block(Duration.ofSeconds(10));
		laneB.run(upstream.call("b")).block(Duration.ofSeconds(10));

		List<Call> calls = upstream.calls();
		assertThat(calls).extracting(Call::name).containsExactly("a", "b");
		assertThat(calls.get(1).start() - calls.get(0).end() + CLOCK_TOLERANCE_NANOS)
			.isGreaterThanOrEqualTo(INTERVAL.toNanos());
	}

	@Test
	void keysLostWhileARequestIsInFlightHoldEveryPodBackUntilItsTurnWouldHaveEnded() throws Exception {
		RedisRequestLanes lanesB = lanes(this.podB);
		Lane laneA = lanes(this.podA).lane("kling:lost", INTERVAL, Turn.UNTIL_ANSWERED);
		Lane laneB = lanesB.lane("kling:lost", INTERVAL, Turn.UNTIL_ANSWERED);
		Upstream upstream = new Upstream();
		// Pod B has used the lanes before: it knows this Redis
		laneB.run(upstream.call("b0")).block(Duration.ofSeconds(10));
		CountDownLatch aStarted = new CountDownLatch(1);
		Mono<String> a = laneA.run(Mono.defer(() -> {
			aStarted.countDown();
			return upstream.call("a");
		})).cache();
		a.subscribe();
		assertThat(aStarted.await(10, TimeUnit.SECONDS)).isTrue();

		// When Redis loses every key of this deployment while pod A's request is in flight
		Set<String> keys = this.podA.redis.keys(this.podA.keys.prefix() + "*");
		assertThat(keys).isNotEmpty();
		this.podA.redis.delete(keys);
		String b = laneB.run(upstream.call("b1")).block(Duration.ofSeconds(30));

		// Then pod B's next request waited for pod A's to end, and an interval more
		assertThat(a.block(Duration.ofSeconds(10))).isEqualTo("a");
		assertThat(b).isEqualTo("b1");
		assertThat(upstream.maxInFlight).as("requests in flight at once").hasValue(1);
		List<Call> calls = upstream.calls();
		assertThat(calls).extracting(Call::name).containsExactly("b0", "a", "b1");
		assertThat(calls.get(2).start() - calls.get(1).end() + CLOCK_TOLERANCE_NANOS).isGreaterThanOrEqualTo(INTERVAL.toNanos());
	}

	@Test
	void aRequestCancelledWhileTakingItsTurnGivesTheLaneBack() throws Exception {
		CountDownLatch turnTaken = new CountDownLatch(1);
		CountDownLatch cancelled = new CountDownLatch(1);
		String holderKey = this.podA.keys.laneHolder("kling:cancel");
		// Pod A's Redis answers its first lane script only once the request waiting for it is cancelled.
		StringRedisTemplate slowAnswers = new StringRedisTemplate(this.podA.connectionFactory) {

			@Override
			public <T> T execute(RedisScript<T> script, List<String> keys, Object... args) {
				T answer = super.execute(script, keys, args);
				if (keys.get(0).equals(holderKey) && turnTaken.getCount() > 0) {
					turnTaken.countDown();
					awaitQuietly(cancelled);
				}
				return answer;
			}

		};
		// A minute's hold: a reservation left behind would block the lane that long.
		Lane laneA = new RedisRequestLanes(slowAnswers, this.podA.keys, Duration.ofMinutes(1), RedisPod.LANE_LOCK_MARGIN,
				RedisPod.LANE_POLL_INTERVAL, this.podA.monitor)
			.lane("kling:cancel", INTERVAL, Turn.UNTIL_ANSWERED);
		Lane laneB = lanes(this.podB).lane("kling:cancel", INTERVAL, Turn.UNTIL_ANSWERED);
		Upstream upstream = new Upstream();

		// When pod A's request is cancelled (its fetch timed out) while Redis gives it the lane
		Disposable request = laneA.run(upstream.call("a")).subscribe();
		assertThat(turnTaken.await(10, TimeUnit.SECONDS)).isTrue();
		request.dispose();
		cancelled.countDown();

		// Then the lane is given back, the next start no further than an interval away
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.podA.redis.hasKey(holderKey));
		long nextStart = Long.parseLong(this.podA.redis.opsForValue().get(this.podA.keys.laneNext("kling:cancel")));
		Long now = this.podA.redis.execute((RedisCallback<Long>) (connection) -> connection.serverCommands()
			.time(TimeUnit.MICROSECONDS));
		assertThat(nextStart - now).as("µs until the next start").isLessThanOrEqualTo(micros(INTERVAL));
		assertThat(laneB.run(upstream.call("b")).block(Duration.ofSeconds(10))).isEqualTo("b");
		assertThat(upstream.calls()).extracting(Call::name).containsExactly("b");
	}

	private static long micros(Duration duration) {
		return TimeUnit.NANOSECONDS.toMicros(duration.toNanos());
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** A stand-in upstream: records when each call started and ended, and how many ran at once. */
	static final class Upstream {

		private final List<Call> calls = new ArrayList<>();

		private final AtomicInteger inFlight = new AtomicInteger();

		final AtomicInteger maxInFlight = new AtomicInteger();

		Mono<String> call(String name) {
			return Mono.defer(() -> {
				long start = System.nanoTime();
				this.maxInFlight.accumulateAndGet(this.inFlight.incrementAndGet(), Math::max);
				return Mono.delay(CALL).map((tick) -> {
					this.inFlight.decrementAndGet();
					synchronized (this.calls) {
						this.calls.add(new Call(name, start, System.nanoTime()));
					}
					return name;
				});
			});
		}

		List<Call> calls() {
			synchronized (this.calls) {
				return this.calls.stream().sorted(Comparator.comparingLong(Call::start)).toList();
			}
		}

	}

	record Call(String name, long start, long end) {
	}

}
