package dev.klingbalances.upstream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestPacerTest {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private final AtomicLong now = new AtomicLong(5 * SECOND);

	private final RequestPacer pacer = new RequestPacer(Duration.ofSeconds(1), this.now::get);

	@Test
	void firstRequestGoesAtOnce() {
		assertThat(this.pacer.reserve("a")).isZero();
	}

	@Test
	void secondRequestWaitsAFullIntervalFromTheFirstNotACalendarSecond() {
		this.now.set(5 * SECOND + 990_000_000L);
		this.pacer.reserve("a");
		this.now.set(6 * SECOND + 10_000_000L);
		assertThat(this.pacer.reserve("a")).isEqualTo(980_000_000L);
	}

	@Test
	void queuedRequestsAreSpacedOneIntervalApart() {
		long first = this.pacer.reserve("a");
		long second = this.pacer.reserve("a");
		long third = this.pacer.reserve("a");
		assertThat(second - first).isEqualTo(SECOND);
		assertThat(third - second).isEqualTo(SECOND);
	}

	@Test
	void credentialsArePacedIndependently() {
		this.pacer.reserve("a");
		assertThat(this.pacer.reserve("b")).isZero();
	}

	@Test
	void holdOffDelaysTheNextRequestUntilThePauseEnds() {
		this.pacer.reserve("a");
		this.pacer.holdOff("a", Duration.ofSeconds(5));
		assertThat(this.pacer.reserve("a")).isEqualTo(5 * SECOND);
		assertThat(this.pacer.reserve("a")).isEqualTo(6 * SECOND);
	}

	@Test
	void shorterHoldOffNeverShortensALongerOne() {
		this.pacer.holdOff("a", Duration.ofSeconds(5));
		this.pacer.holdOff("a", Duration.ofSeconds(2));
		assertThat(this.pacer.reserve("a")).isEqualTo(5 * SECOND);
	}

}
