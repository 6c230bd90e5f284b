package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BalanceHistoryTest {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));

	private final BalanceHistory history = new BalanceHistory(new MemoryHistoryStore(),
			TestSettings.balances("balances.forecast.window=1d", "balances.forecast.min-span=1h",
					"balances.forecast.max-samples=5")
				.forecast(),
			this.clock);

	private CachedValue<BalanceSnapshot> current;

	@Test
	void recordsFiguresAndTheRunningConsumption() {
		fetched(100);
		this.clock.advance(Duration.ofMinutes(15));
		fetched(90);
		this.clock.advance(Duration.ofMinutes(15));
		fetched(85);
		assertThat(this.history.samples("kling", "a"))
			.extracting((sample) -> sample.product("video").remaining(), (sample) -> sample.consumed().get("video"))
			.containsExactly(pair("100", "0"), pair("90", "10"), pair("85", "15"));
	}

	@Test
	void unchangedFiguresAreRecordedOncePerResolution() {
		fetched(100);
		this.clock.advance(Duration.ofMinutes(5));
		fetched(100);
		assertThat(this.history.samples("kling", "a")).hasSize(1);
		this.clock.advance(Duration.ofMinutes(5));
		fetched(100);
		assertThat(this.history.samples("kling", "a")).as("10 min: the resolution").hasSize(2);
	}

	@Test
	void failuresAreRecordedWithTheLastGoodFiguresAndCarryTheConsumptionOn() {
		fetched(100);
		this.clock.advance(Duration.ofMinutes(15));
		fetched(80);
		this.clock.advance(Duration.ofMinutes(15));
		CachedValue<BalanceSnapshot> failed = new CachedValue<>(this.current.value(), this.current.fetchedAt(),
				new AccountError(ErrorCode.UPSTREAM_UNAVAILABLE, "down", 503, this.clock.instant()), this.clock.instant(),
				null);
		this.history.record("kling", "a", this.current, failed);
		HistorySample last = this.history.samples("kling", "a").get(2);
		assertThat(last.stale()).isTrue();
		assertThat(last.error()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(last.product("video").remaining()).isEqualByComparingTo("80");
		assertThat(last.consumed().get("video")).isEqualByComparingTo("20");
	}

	@Test
	void historyIsBoundedInAgeAndCount() {
		for (int i = 0; i < 8; i++) {
			fetched(100 - i);
			this.clock.advance(Duration.ofMinutes(15));
		}
		assertThat(this.history.samples("kling", "a")).hasSize(5);
		this.clock.advance(Duration.ofDays(1));
		assertThat(this.history.samples("kling", "a")).isEmpty();
		fetched(50);
		this.history.retainOnly("kling", List.of("b"));
		assertThat(this.history.samples("kling", "a")).isEmpty();
	}

	private void fetched(int remaining) {
		Grant grant = new Grant("g", "g", "video", null, GrantStatus.ACTIVE, null, new BigDecimal("200"),
				BigDecimal.valueOf(remaining), null, null);
		CachedValue<BalanceSnapshot> next = new CachedValue<>(new BalanceSnapshot(List.of(grant), Map.of()),
				this.clock.instant(), null, this.clock.instant(), null);
		this.history.record("kling", "a", this.current, next);
		this.current = next;
	}

	private static org.assertj.core.groups.Tuple pair(String remaining, String consumed) {
		return org.assertj.core.groups.Tuple.tuple(new BigDecimal(remaining), new BigDecimal(consumed));
	}

}
