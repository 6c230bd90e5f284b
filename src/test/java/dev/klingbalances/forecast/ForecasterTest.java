package dev.klingbalances.forecast;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ForecasterTest {

	private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

	private final Forecaster forecaster = new Forecaster(TestSettings.balances().forecast());

	@Test
	void rateIsTheSlopeOfTheRunningConsumptionPerDay() {
		// 0, 30, 60, 90 consumed at 0, 6, 12, 18 h: 120 a day.
		List<HistorySample> samples = samples(0, 0, 6, 30, 12, 60, 18, 90);
		Forecaster.Rate rate = this.forecaster.rate(samples, "video", hours(18));
		assertThat(rate.perDay()).isEqualByComparingTo("120");
		assertThat(rate.basis()).isEqualTo(new Forecast.Basis(T0, hours(18), 4));
	}

	@Test
	void stepsAreFittedAsAnAverageRate() {
		// Kling-like steps: nothing for 12 h, then 60 at once, twice: a least-squares slope in between.
		List<HistorySample> samples = samples(0, 0, 6, 0, 12, 60, 18, 60, 24, 120);
		BigDecimal perDay = this.forecaster.rate(samples, "video", hours(24)).perDay();
		assertThat(perDay).isEqualByComparingTo("120");
	}

	@Test
	void unchangedFiguresSinceTheLastRecordCountUpToTheCurrentFetch() {
		List<HistorySample> samples = samples(0, 0, 12, 50);
		Forecaster.Rate rate = this.forecaster.rate(samples, "video", hours(24));
		assertThat(rate.basis()).isEqualTo(new Forecast.Basis(T0, hours(24), 3));
		// (0,0) (12,50) (24,50): slope 50 / 24 h = 50 a day.
		assertThat(rate.perDay()).isEqualByComparingTo("50");
	}

	@Test
	void lessHistoryThanTheMinimumSpanGivesNoRate() {
		Forecaster.Rate rate = this.forecaster.rate(samples(0, 0, 11, 40), "video", hours(11));
		assertThat(rate.perDay()).isNull();
		assertThat(rate.basis()).isEqualTo(new Forecast.Basis(T0, hours(11), 2));
		assertThat(this.forecaster.rate(List.of(), "video", null)).isEqualTo(new Forecaster.Rate(null, null));
	}

	@Test
	void failuresAreNotPartOfTheFit() {
		List<HistorySample> samples = new ArrayList<>(samples(0, 0, 24, 100));
		samples.add(1, new HistorySample(hours(6), true, ErrorCode.UPSTREAM_UNAVAILABLE, List.of(),
				Map.of("video", BigDecimal.ZERO)));
		assertThat(this.forecaster.rate(samples, "video", hours(24)).perDay()).isEqualByComparingTo("100");
		assertThat(this.forecaster.rate(samples, "video", hours(24)).basis().samples()).isEqualTo(2);
	}

	@Test
	void simulationUsesTheEarliestExpiringGrantFirstAndCountsWhatLapses() {
		// 100 a day; X 300 expiring day 2 (100 lapses), Y 500 never expiring: 2 days on X, then 5 on Y.
		Forecaster.Outlook outlook = Forecaster.simulate(
				List.of(active("y", 500, null), active("x", 300, day(2))), T0, new BigDecimal("100"));
		assertThat(outlook.runsOutAt()).isEqualTo(day(7));
		assertThat(outlook.expiringUnused()).isEqualTo(new Forecast.ExpiringUnused(new BigDecimal("100"), day(2)));
	}

	@Test
	void aGapBeforeAPendingGrantStartsIsTheRunOutAndItsStartTheRefill() {
		// 100 a day; A 100 runs out on day 1; B (200) starts on day 3: requests fail from day 1 to 3.
		Grant pending = pending("b", 200, day(3), null);
		Forecaster.Outlook outlook = Forecaster.simulate(List.of(active("a", 100, null), pending), T0,
				new BigDecimal("100"));
		assertThat(outlook.runsOutAt()).isEqualTo(day(1));
		assertThat(outlook.refillsAt()).isEqualTo(day(3));
		assertThat(outlook.expiringUnused().amount()).isEqualByComparingTo("0");
		assertThat(outlook.expiringUnused().by()).isNull();
	}

	@Test
	void theIssuesExampleRunsOutInTwoHundredSecondsAndRefillsInFiveDays() {
		// 100 units left, 1 unit every 2 s (43,200 a day), a 500-unit pack starting in 5 days.
		Forecaster.Outlook outlook = Forecaster.simulate(List.of(active("a", 100, null), pending("b", 500, day(5), null)),
				T0, new BigDecimal("43200"));
		assertThat(outlook.runsOutAt()).isEqualTo(T0.plusSeconds(200));
		assertThat(outlook.refillsAt()).isEqualTo(day(5));
	}

	@Test
	void aGrantThatStartsBeforeTheActiveOneIsUsedUpLeavesNoGap() {
		Forecaster.Outlook outlook = Forecaster.simulate(List.of(active("a", 100, null), pending("b", 100, day(1), null)),
				T0, new BigDecimal("50"));
		assertThat(outlook.runsOutAt()).isEqualTo(day(4));
		assertThat(outlook.refillsAt()).isNull();
	}

	@Test
	void whatExpiresAfterTheFirstRunOutIsStillCountedAsUnused() {
		// 100 a day: A runs out on day 1; B (300, from day 3 to day 4) loses 200 at its expiry.
		Forecaster.Outlook outlook = Forecaster.simulate(List.of(active("a", 100, null), pending("b", 300, day(3), day(4))),
				T0, new BigDecimal("100"));
		assertThat(outlook.runsOutAt()).isEqualTo(day(1));
		assertThat(outlook.refillsAt()).isEqualTo(day(3));
		assertThat(outlook.expiringUnused()).isEqualTo(new Forecast.ExpiringUnused(new BigDecimal("200"), day(4)));
	}

	@Test
	void aPoolOfTwoAccountsRunsOutAtItsFirstGap() {
		// Two accounts of 100 and 50, each burning 1 unit every 2 s: 150 at 1 a second; a pack of
		// 500 starts on the second account in 5 days. The pool is empty after 150 s, not in 5 days.
		Forecaster.Rate half = new Forecaster.Rate(new BigDecimal("43200"), new Forecast.Basis(T0, T0, 2));
		Forecast pool = this.forecaster.pool(List.of(new Forecaster.Input(half, List.of(active("a", 100, null)), T0),
				new Forecaster.Input(half, List.of(active("b", 50, null), pending("c", 500, day(5), null)), T0)));
		assertThat(pool.burnPerDay()).isEqualByComparingTo("86400");
		assertThat(pool.runsOutAt()).isEqualTo(T0.plusSeconds(150));
		assertThat(pool.refillsAt()).isEqualTo(day(5));
	}

	@Test
	void withoutUseEverythingLapsesAtItsExpiryOrNeverRunsOut() {
		Forecaster.Outlook expiring = Forecaster.simulate(List.of(active("a", 100, day(3)), active("b", 50, day(9))),
				T0, BigDecimal.ZERO);
		assertThat(expiring.runsOutAt()).isEqualTo(day(9));
		assertThat(expiring.expiringUnused()).isEqualTo(new Forecast.ExpiringUnused(new BigDecimal("150"), day(3)));
		Forecaster.Outlook forever = Forecaster.simulate(List.of(active("a", 100, null)), T0, BigDecimal.ZERO);
		assertThat(forever.runsOutAt()).isNull();
	}

	@Test
	void unknownQuantitiesGiveNoOutlookAndNoCapacityNoRunOutDate() {
		Grant unknown = new Grant("a", "a", "video", null, GrantStatus.ACTIVE, null, null, null, null, null);
		assertThat(Forecaster.simulate(List.of(unknown), T0, BigDecimal.TEN)).isEqualTo(new Forecaster.Outlook(null, null, null));
		Forecaster.Outlook empty = Forecaster.simulate(List.of(active("a", 0, day(3))), T0, BigDecimal.TEN);
		assertThat(empty.runsOutAt()).isNull();
		assertThat(empty.expiringUnused().amount()).isEqualByComparingTo("0");
	}

	@Test
	void poolUsesEveryAccountsGrantsAtTheSumOfTheRatesFromTheEarliestDescribedMoment() {
		Forecaster.Rate forty = new Forecaster.Rate(new BigDecimal("40"), new Forecast.Basis(T0, day(1), 5));
		Forecaster.Rate sixty = new Forecaster.Rate(new BigDecimal("60"), new Forecast.Basis(hours(6), day(2), 7));
		Forecast pool = this.forecaster.pool(List.of(new Forecaster.Input(forty, List.of(active("a", 200, null)), day(1)),
				new Forecaster.Input(sixty, List.of(active("b", 300, null)), day(2))));
		// 500 at 100 a day from day 1: day 6.
		assertThat(pool.burnPerDay()).isEqualByComparingTo("100");
		assertThat(pool.runsOutAt()).isEqualTo(day(6));
		assertThat(pool.basis()).isEqualTo(new Forecast.Basis(T0, day(2), 12));
		Forecast unknown = this.forecaster.pool(List.of(new Forecaster.Input(forty, List.of(active("a", 200, null)), day(1)),
				new Forecaster.Input(new Forecaster.Rate(null, null), List.of(active("b", 300, null)), day(2))));
		assertThat(unknown.burnPerDay()).as("an account with capacity and no rate").isNull();
	}

	@Test
	void amountsHaveThreeDecimalsAndNoExponent() {
		assertThat(Forecaster.amount(240.0000000001)).hasToString("240");
		assertThat(Forecaster.amount(1.23456)).hasToString("1.235");
		assertThat(Forecaster.amount(1000)).hasToString("1000");
	}

	/** Pairs of (hours after T0, consumed so far). */
	private static List<HistorySample> samples(int... hoursAndConsumed) {
		List<HistorySample> samples = new ArrayList<>();
		for (int i = 0; i < hoursAndConsumed.length; i += 2) {
			samples.add(new HistorySample(hours(hoursAndConsumed[i]), false, null,
					List.of(new HistorySample.ProductFigures("video", BigDecimal.ONE, BigDecimal.ONE)),
					Map.of("video", BigDecimal.valueOf(hoursAndConsumed[i + 1]))));
		}
		return samples;
	}

	private static Grant active(String id, int remaining, @Nullable Instant expiresAt) {
		return new Grant(id, id, "video", null, GrantStatus.ACTIVE, null, BigDecimal.valueOf(remaining),
				BigDecimal.valueOf(remaining), T0, expiresAt);
	}

	private static Grant pending(String id, int remaining, Instant startsAt, @Nullable Instant expiresAt) {
		return new Grant(id, id, "video", null, GrantStatus.PENDING, null, BigDecimal.valueOf(remaining),
				BigDecimal.valueOf(remaining), startsAt, expiresAt);
	}

	private static Instant hours(int hours) {
		return T0.plus(Duration.ofHours(hours));
	}

	private static Instant day(int days) {
		return T0.plus(Duration.ofDays(days));
	}

}
