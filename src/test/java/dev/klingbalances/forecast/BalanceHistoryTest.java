package dev.klingbalances.forecast;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.klingbalances.balance.MutableClock;
import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.forecast.AccountHistory;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.store.MemoryHistoryStore;
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
	void recordsEachProductsFiguresAndConsumptionApart() {
		fetched(grant("v", "video", 100), grant("i", "image", 50));
		this.clock.advance(Duration.ofMinutes(15));
		fetched(grant("v", "video", 90), grant("i", "image", 50));
		this.clock.advance(Duration.ofMinutes(15));
		fetched(grant("v", "video", 90), grant("i", "image", 30));
		List<HistorySample> samples = this.history.samples("kling", "a");
		assertThat(samples).extracting((sample) -> sample.product("video").remaining(),
				(sample) -> sample.product("image").remaining())
			.containsExactly(pair("100", "50"), pair("90", "50"), pair("90", "30"));
		assertThat(samples).extracting((sample) -> sample.consumed().get("video"), (sample) -> sample.consumed().get("image"))
			.containsExactly(pair("0", "0"), pair("10", "0"), pair("10", "20"));
		assertThat(AccountHistory.Point.of(samples.get(2)).remaining()).as("two products: no account-wide figure")
			.isNull();
		assertThat(AccountHistory.Point.of(samples.get(2)).products()).hasSize(2);
	}

	@Test
	void theStoreContinuesTheRunningConsumptionFromItsOwnLastSample() {
		MemoryHistoryStore store = new MemoryHistoryStore();
		Instant at = this.clock.instant();
		store.append("kling", "a", step(at, Map.of("video", BigDecimal.TEN)), at, 10);
		store.append("kling", "a", step(at.plusSeconds(60), Map.of("video", new BigDecimal("2.5"))), at, 10);
		store.append("kling", "a", step(at.plusSeconds(120), Map.of()), at, 10);
		store.append("kling", "a", step(at.plusSeconds(180), Map.of("image", BigDecimal.ONE)), at, 10);
		assertThat(store.read("kling", "a", at)).extracting(HistorySample::consumed)
			.containsExactly(Map.of("video", BigDecimal.TEN), Map.of("video", new BigDecimal("12.5")),
					Map.of("video", new BigDecimal("12.5")), Map.of("image", BigDecimal.ONE, "video", new BigDecimal("12.5")));
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
		this.history.forgetIdle();
		assertThat(this.history.samples("kling", "a")).as("recorded within the window: kept").hasSize(1);
	}

	@Test
	void idleSeriesAreForgottenOnlyOnceTheirLastSampleLeftTheWindow() {
		MemoryHistoryStore store = new MemoryHistoryStore();
		Instant now = this.clock.instant();
		HistorySample sample = new HistorySample(now, false, null,
				List.of(new HistorySample.ProductFigures("video", new BigDecimal("5"), new BigDecimal("10"))),
				Map.of("video", BigDecimal.ZERO));
		store.append("kling", "a", sample, now.minus(Duration.ofDays(7)), 10);
		store.forgetIdle(now);
		assertThat(store.last("kling", "a")).isEqualTo(sample);
		store.forgetIdle(now.plusMillis(1));
		assertThat(store.last("kling", "a")).isNull();
	}

	private void fetched(int remaining) {
		fetched(grant("g", "video", remaining));
	}

	private void fetched(Grant... grants) {
		CachedValue<BalanceSnapshot> next = new CachedValue<>(new BalanceSnapshot(List.of(grants), Map.of()),
				this.clock.instant(), null, this.clock.instant(), null);
		this.history.record("kling", "a", this.current, next);
		this.current = next;
	}

	private static Grant grant(String id, String product, int remaining) {
		return new Grant(id, id, product, null, GrantStatus.ACTIVE, null, new BigDecimal("200"),
				BigDecimal.valueOf(remaining), null, null);
	}

	private static HistorySample step(Instant at, Map<String, BigDecimal> consumed) {
		return new HistorySample(at, false, null, List.of(), consumed);
	}

	private static org.assertj.core.groups.Tuple pair(String remaining, String consumed) {
		return org.assertj.core.groups.Tuple.tuple(new BigDecimal(remaining), new BigDecimal(consumed));
	}

}
