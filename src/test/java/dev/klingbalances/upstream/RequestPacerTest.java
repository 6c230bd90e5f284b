package dev.klingbalances.upstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.klingbalances.cache.FetchDeadline;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.UpstreamException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** The pacer on virtual time: every release and refusal happens at an exact, known moment. */
class RequestPacerTest {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

	private final RequestPacer pacer = new RequestPacer(Duration.ofSeconds(1), this::now, this.time);

	/** When each caller was released, in nanoseconds of virtual time, by caller name. */
	private final List<String> releases = new ArrayList<>();

	private final List<Throwable> failures = new ArrayList<>();

	@AfterEach
	void stopTime() {
		this.time.dispose();
	}

	@Test
	void firstRequestGoesAtOnce() {
		acquire("a", "first");

		assertThat(this.releases).containsExactly("first@0");
	}

	@Test
	void secondRequestWaitsAFullIntervalFromTheFirstNotACalendarSecond() {
		advanceTo(990_000_000L);
		acquire("a", "first");
		advanceTo(SECOND + 10_000_000L);
		acquire("a", "second");
		advanceTo(10 * SECOND);

		assertThat(this.releases).containsExactly("first@990000000", "second@1990000000");
	}

	@Test
	void queuedRequestsAreSpacedOneIntervalApartInOrder() {
		acquire("a", "first");
		acquire("a", "second");
		acquire("a", "third");
		advanceTo(10 * SECOND);

		assertThat(this.releases).containsExactly("first@0", "second@" + SECOND, "third@" + 2 * SECOND);
	}

	@Test
	void credentialsArePacedIndependently() {
		acquire("a", "a1");
		acquire("b", "b1");

		assertThat(this.releases).containsExactly("a1@0", "b1@0");
	}

	@Test
	void holdOffDelaysTheNextRequestsUntilThePauseEnds() {
		acquire("a", "first");
		this.pacer.holdOff("a", Duration.ofSeconds(5));
		acquire("a", "second");
		acquire("a", "third");
		advanceTo(10 * SECOND);

		assertThat(this.releases).containsExactly("first@0", "second@" + 5 * SECOND, "third@" + 6 * SECOND);
	}

	@Test
	void shorterHoldOffNeverShortensALongerOne() {
		this.pacer.holdOff("a", Duration.ofSeconds(5));
		this.pacer.holdOff("a", Duration.ofSeconds(2));
		acquire("a", "first");
		advanceTo(10 * SECOND);

		assertThat(this.releases).containsExactly("first@" + 5 * SECOND);
	}

	@Test
	void aHoldThatArrivesWhileCallersWaitHoldsThemBackToo() {
		// Given two callers queued behind a request that was just sent
		acquire("a", "first");
		acquire("a", "second");
		acquire("a", "third");

		// When that request's answer asks for a 5 s pause half a second later
		advanceTo(SECOND / 2);
		this.pacer.holdOff("a", Duration.ofSeconds(5));
		advanceTo(20 * SECOND);

		// Then the callers already waiting honour it, still in order and an interval apart
		assertThat(this.releases).containsExactly("first@0", "second@" + 5_500_000_000L, "third@" + 6_500_000_000L);
	}

	@Test
	void aCallerThatGivesUpLeavesTheQueueWithoutUsingASlot() {
		acquire("a", "first");
		Disposable second = acquire("a", "second");
		acquire("a", "third");

		advanceTo(SECOND / 2);
		second.dispose();
		advanceTo(10 * SECOND);

		assertThat(this.releases).containsExactly("first@0", "third@" + SECOND);
	}

	@Test
	void aHoldLongerThanTheFetchHasLeftFailsAtOnceWithTheRestOfTheHold() {
		// Given the upstream asked for a 10 minute pause a minute ago
		this.pacer.holdOff("a", Duration.ofMinutes(10));
		advanceTo(60 * SECOND);

		// When a fetch with 30 s left asks for a slot
		acquire("a", "bounded", 90 * SECOND);

		// Then it fails now, THROTTLED, saying when the hold ends
		assertThat(this.releases).isEmpty();
		assertThat(this.failures).singleElement().isInstanceOfSatisfying(UpstreamException.class, (failure) -> {
			assertThat(failure.code()).isEqualTo(ErrorCode.THROTTLED);
			assertThat(failure.retryAfter()).isEqualTo(Duration.ofMinutes(9));
			assertThat(failure.getMessage()).contains("on hold for another 540 s");
		});
	}

	@Test
	void aHoldWithinTheTimeLeftIsWaitedOut() {
		this.pacer.holdOff("a", Duration.ofSeconds(20));

		acquire("a", "bounded", 30 * SECOND);
		advanceTo(60 * SECOND);

		assertThat(this.failures).isEmpty();
		assertThat(this.releases).containsExactly("bounded@" + 20 * SECOND);
	}

	@Test
	void aHoldThatArrivesWhileWaitingAndOutlastsTheFetchFailsItThen() {
		acquire("a", "first");
		acquire("a", "bounded", 30 * SECOND);

		advanceTo(SECOND / 2);
		this.pacer.holdOff("a", Duration.ofMinutes(10));
		advanceTo(SECOND);

		assertThat(this.releases).containsExactly("first@0");
		assertThat(this.failures).singleElement()
			.isInstanceOfSatisfying(UpstreamException.class, (failure) -> assertThat(failure.retryAfter())
				.isEqualTo(Duration.ofMinutes(10).minus(Duration.ofMillis(500))));
	}

	@Test
	void aQueueLongerThanTheFetchHasLeftFailsAtOnceWithTheWait() {
		for (int i = 0; i < 5; i++) {
			acquire("a", "queued-" + i);
		}

		// the sixth caller's turn is 5 s away, but it has 3 s
		acquire("a", "bounded", 3 * SECOND);

		assertThat(this.failures).singleElement().isInstanceOfSatisfying(UpstreamException.class, (failure) -> {
			assertThat(failure.code()).isEqualTo(ErrorCode.THROTTLED);
			assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(5));
			assertThat(failure.getMessage()).contains("queued");
		});
		assertThat(new RetryableUpstreamFailure().test(this.failures.get(0))).as("a refusal is final").isFalse();
	}

	@Test
	void withoutADeadlineACallerWaitsOutAnyHold() {
		this.pacer.holdOff("a", Duration.ofHours(3));

		acquire("a", "patient");
		advanceTo(Duration.ofHours(3).toNanos());

		assertThat(this.failures).isEmpty();
		assertThat(this.releases).containsExactly("patient@" + Duration.ofHours(3).toNanos());
	}

	@Test
	void absurdPausesAndIntervalsNeverOverflow() {
		Duration absurd = Duration.ofSeconds(Long.MAX_VALUE);
		assertThatNoException().isThrownBy(() -> new RequestPacer(absurd, this::now, this.time));

		assertThatNoException().isThrownBy(() -> this.pacer.holdOff("a", absurd));
		acquire("a", "bounded", 30 * SECOND);
		acquire("a", "patient");
		advanceTo(Duration.ofDays(365).toNanos());

		assertThat(this.releases).isEmpty();
		assertThat(this.failures).singleElement()
			.isInstanceOfSatisfying(UpstreamException.class, (failure) -> assertThat(failure.retryAfter())
				.isEqualTo(Duration.ofNanos(RequestPacer.MAX_WAIT_NANOS)));
	}

	private long now() {
		return this.time.now(TimeUnit.NANOSECONDS);
	}

	private void advanceTo(long nanos) {
		this.time.advanceTimeTo(java.time.Instant.ofEpochSecond(0, nanos));
	}

	private Disposable acquire(String credential, String caller) {
		return subscribe(this.pacer.acquire(credential), caller);
	}

	private Disposable acquire(String credential, String caller, long deadlineNanos) {
		return subscribe(this.pacer.acquire(credential).contextWrite(FetchDeadline.of(deadlineNanos)), caller);
	}

	private Disposable subscribe(Mono<Void> acquire, String caller) {
		return acquire.subscribe(null, this.failures::add, () -> this.releases.add(caller + "@" + now()));
	}

}
