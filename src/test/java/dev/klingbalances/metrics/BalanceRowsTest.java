package dev.klingbalances.metrics;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.ProductBalance;
import dev.klingbalances.model.ProviderTotal;
import io.micrometer.core.instrument.Tags;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which series an answer turns into, and with which values. */
class BalanceRowsTest {

	private static final Instant FETCHED = Instant.parse("2026-11-21T11:58:02.123Z");

	private static final Tags TEAM_A = Tags.of("provider", "kling", "account", "team-a", "unit", "units");

	/** team-a's video figures. */
	private static final Tags VIDEO = TEAM_A.and("product", "video");

	private final BalancesProperties.Alerts alerts = TestSettings
		.balances("balances.alerts.low-balance.units=150", "balances.alerts.accounts[0].provider=kling",
				"balances.alerts.accounts[0].account=team-b", "balances.alerts.accounts[0].low-balance=20")
		.alerts();

	@Test
	void anAccountWithoutKnownFiguresHasOnlyItsStaleFlagErrorAndThreshold() {
		AccountBalance failed = account("team-a", null, null, List.of(), Map.of(), null,
				new AccountError(ErrorCode.ACCOUNT_IN_ARREARS, "arrears", 429, FETCHED), Forecast.NONE);

		Map<GaugeRow, Double> rows = BalanceRows.of(response(failed), this.alerts);

		assertThat(rows).containsOnly(Map.entry(new GaugeRow(BalanceGauge.STALE, TEAM_A), 0.0),
				Map.entry(new GaugeRow(BalanceGauge.CHECKED, TEAM_A), 1795262282.123),
				Map.entry(new GaugeRow(BalanceGauge.ERROR,
						TEAM_A.and("code", "ACCOUNT_IN_ARREARS", "class", "account_state")), 1.0),
				Map.entry(new GaugeRow(BalanceGauge.LOW_BALANCE_THRESHOLD, TEAM_A), 150.0));
	}

	@Test
	void knownFiguresAreTheAnswersFiguresAndMomentsAreEpochSeconds() {
		AccountBalance good = account("team-a", new BigDecimal("118.5"), new BigDecimal("200"), List.of(), Map.of(), FETCHED,
				null, Forecast.NONE);

		Map<GaugeRow, Double> rows = BalanceRows.of(response(good), this.alerts);

		assertThat(rows).containsEntry(new GaugeRow(BalanceGauge.REMAINING, VIDEO), 118.5)
			.containsEntry(new GaugeRow(BalanceGauge.GRANTED, VIDEO), 200.0)
			.containsEntry(new GaugeRow(BalanceGauge.FETCHED, TEAM_A), 1795262282.123)
			.containsEntry(new GaugeRow(BalanceGauge.CHECKED, TEAM_A), 1795262282.123)
			.containsEntry(new GaugeRow(BalanceGauge.STALE, TEAM_A), 0.0)
			.doesNotContainKey(new GaugeRow(BalanceGauge.RUNS_OUT, VIDEO))
			.doesNotContainKey(new GaugeRow(BalanceGauge.BURN_PER_DAY, VIDEO))
			.doesNotContainKey(new GaugeRow(BalanceGauge.EXPIRING_UNUSED, VIDEO))
			.doesNotContainKey(new GaugeRow(BalanceGauge.SESSION_EXPIRY, TEAM_A));
		assertThat(rows.keySet()).noneMatch((row) -> row.gauge() == BalanceGauge.ERROR);
	}

	@Test
	void theReplicaLearnedAnAccountsStateAtTheLaterOfItsFetchAndItsLatestFailure() {
		Instant later = FETCHED.plusSeconds(300);
		assertThat(BalanceRows.checkedAt(FETCHED, null)).isEqualTo(FETCHED);
		assertThat(BalanceRows.checkedAt(FETCHED, new AccountError(ErrorCode.THROTTLED, "slow down", 429, later)))
			.as("a refresh failed after the fetch").isEqualTo(later);
		assertThat(BalanceRows.checkedAt(later, new AccountError(ErrorCode.THROTTLED, "slow down", 429, FETCHED)))
			.isEqualTo(later);
		assertThat(BalanceRows.checkedAt(FETCHED, new AccountError(ErrorCode.PENDING, "loading", null, later)))
			.as("a fetch still running tells nothing").isEqualTo(FETCHED);
		assertThat(BalanceRows.checkedAt(null, new AccountError(ErrorCode.PENDING, "loading", null, later))).isNull();
	}

	@Test
	void onlyActiveAndPendingGrantsWithAnIdHaveGrantSeries() {
		Instant expires = Instant.parse("2026-12-26T16:00:00Z");
		List<Grant> grants = List.of(grant("g-active", GrantStatus.ACTIVE, "118", expires),
				grant("g-pending", GrantStatus.PENDING, "50", null), grant("g-expired", GrantStatus.EXPIRED, "3", expires),
				grant("g-used", GrantStatus.EXHAUSTED, "0", expires), grant(null, GrantStatus.ACTIVE, "7", expires),
				grant("g-unknown", GrantStatus.ACTIVE, null, null));
		AccountBalance account = account("team-a", null, null, grants, Map.of(), FETCHED, null, Forecast.NONE);

		Map<GaugeRow, Double> rows = BalanceRows.of(response(account), this.alerts);

		assertThat(rows.entrySet()).filteredOn((row) -> row.getKey().gauge() == BalanceGauge.GRANT_REMAINING)
			.containsExactlyInAnyOrder(
					Map.entry(new GaugeRow(BalanceGauge.GRANT_REMAINING, VIDEO.and("grant", "g-active", "status", "ACTIVE")), 118.0),
					Map.entry(new GaugeRow(BalanceGauge.GRANT_REMAINING, VIDEO.and("grant", "g-pending", "status", "PENDING")), 50.0));
		assertThat(rows.entrySet()).filteredOn((row) -> row.getKey().gauge() == BalanceGauge.GRANT_EXPIRY)
			.containsExactly(Map.entry(new GaugeRow(BalanceGauge.GRANT_EXPIRY, VIDEO.and("grant", "g-active")),
					(double) expires.getEpochSecond()));
	}

	@Test
	void theSessionExpiryComesFromAnInstantInTheDetails() {
		Instant session = Instant.parse("2026-11-25T00:00:00Z");
		AccountBalance withSession = account("team-a", null, null, List.of(), Map.of("sessionExpiresAt", session), FETCHED,
				null, Forecast.NONE);
		AccountBalance withText = account("team-b", null, null, List.of(), Map.of("sessionExpiresAt", "tomorrow"), FETCHED,
				null, Forecast.NONE);

		Map<GaugeRow, Double> rows = BalanceRows.of(response(withSession, withText), this.alerts);

		assertThat(rows.entrySet()).filteredOn((row) -> row.getKey().gauge() == BalanceGauge.SESSION_EXPIRY)
			.containsExactly(Map.entry(new GaugeRow(BalanceGauge.SESSION_EXPIRY, TEAM_A), (double) session.getEpochSecond()));
	}

	@Test
	void forecastSeriesOnlyForTheValuesTheForecastHas() {
		Instant runsOut = Instant.parse("2026-12-01T00:00:00Z");
		Forecast noDate = new Forecast(new BigDecimal("40.5"), null, null, new Forecast.ExpiringUnused(BigDecimal.ZERO, null), null);
		Forecast full = new Forecast(new BigDecimal("12"), runsOut, null,
				new Forecast.ExpiringUnused(new BigDecimal("30"), runsOut.minus(Duration.ofDays(1))), null);
		Tags teamB = Tags.of("provider", "kling", "account", "team-b", "unit", "units", "product", "video");

		Map<GaugeRow, Double> rows = BalanceRows.of(response(
				account("team-a", null, null, List.of(), Map.of(), FETCHED, null, noDate),
				account("team-b", null, null, List.of(), Map.of(), FETCHED, null, full)), this.alerts);

		assertThat(rows).containsEntry(new GaugeRow(BalanceGauge.BURN_PER_DAY, VIDEO), 40.5)
			.containsEntry(new GaugeRow(BalanceGauge.EXPIRING_UNUSED, VIDEO), 0.0)
			.doesNotContainKey(new GaugeRow(BalanceGauge.RUNS_OUT, VIDEO))
			.doesNotContainKey(new GaugeRow(BalanceGauge.EXPIRING_UNUSED_BY, VIDEO))
			.containsEntry(new GaugeRow(BalanceGauge.RUNS_OUT, teamB), (double) runsOut.getEpochSecond())
			.containsEntry(new GaugeRow(BalanceGauge.EXPIRING_UNUSED, teamB), 30.0)
			.containsEntry(new GaugeRow(BalanceGauge.EXPIRING_UNUSED_BY, teamB),
					(double) runsOut.minus(Duration.ofDays(1)).getEpochSecond());
	}

	@Test
	void aVideoAndImageAccountHasEachProductsFiguresAndNeverTheirSum() {
		Instant runsOut = Instant.parse("2026-11-21T12:01:20Z");
		Instant refills = Instant.parse("2026-11-26T11:58:02Z");
		ProductBalance video = new ProductBalance("video", new BigDecimal("100"), new BigDecimal("100"),
				new Forecast(new BigDecimal("43200"), runsOut, refills, new Forecast.ExpiringUnused(BigDecimal.ZERO, null),
						null),
				List.of());
		ProductBalance image = new ProductBalance("image", new BigDecimal("40"), new BigDecimal("500"), Forecast.NONE,
				List.of());
		AccountBalance account = new AccountBalance("kling", "team-a", "units", null, null, List.of(video, image),
				List.of(), Map.of(), FETCHED, null, false, null, null, null, List.of(), Forecast.NONE);

		Map<GaugeRow, Double> rows = BalanceRows.of(response(account), this.alerts);

		Tags image40 = TEAM_A.and("product", "image");
		assertThat(rows).containsEntry(new GaugeRow(BalanceGauge.REMAINING, VIDEO), 100.0)
			.containsEntry(new GaugeRow(BalanceGauge.REMAINING, image40), 40.0)
			.containsEntry(new GaugeRow(BalanceGauge.GRANTED, image40), 500.0)
			.containsEntry(new GaugeRow(BalanceGauge.RUNS_OUT, VIDEO), (double) runsOut.getEpochSecond())
			.containsEntry(new GaugeRow(BalanceGauge.REFILLS, VIDEO), (double) refills.getEpochSecond())
			.doesNotContainKey(new GaugeRow(BalanceGauge.RUNS_OUT, image40))
			.doesNotContainKey(new GaugeRow(BalanceGauge.REMAINING, TEAM_A));
		assertThat(rows.values()).as("no sum of the two products").doesNotContain(140.0, 600.0);
	}

	@Test
	void anAccountWithoutGrantsHoldsNothingOfEachOfItsProvidersProducts() {
		AccountBalance empty = new AccountBalance("kling", "team-a", "units", BigDecimal.ZERO, BigDecimal.ZERO, List.of(),
				List.of(), Map.of(), FETCHED, null, false, null, null, null, List.of(), Forecast.NONE);
		List<ProviderTotal> totals = List.of(
				new ProviderTotal("kling", "video", "units", BigDecimal.ZERO, BigDecimal.ZERO, 1, true, false, Forecast.NONE),
				new ProviderTotal("kling", "image", "units", BigDecimal.ZERO, BigDecimal.ZERO, 1, true, false, Forecast.NONE));

		Map<GaugeRow, Double> rows = BalanceRows.of(new BalancesResponse(FETCHED, true, List.of(empty), totals, List.of()),
				this.alerts);

		assertThat(rows.entrySet()).filteredOn((row) -> row.getKey().gauge() == BalanceGauge.REMAINING)
			.containsExactlyInAnyOrder(Map.entry(new GaugeRow(BalanceGauge.REMAINING, VIDEO), 0.0),
					Map.entry(new GaugeRow(BalanceGauge.REMAINING, TEAM_A.and("product", "image")), 0.0));
	}

	@Test
	void estimatedRemainingIsOneSeriesPerProductWithAnEstimate() {
		AccountBalance mixed = new AccountBalance("kling", "team-a", "units", null, null, null,
				List.of(new ProductBalance("image", new BigDecimal("40"), new BigDecimal("31.25"), new BigDecimal("50"),
						Forecast.NONE, List.of()),
						new ProductBalance("video", new BigDecimal("118"), null, new BigDecimal("200"), Forecast.NONE,
								List.of())),
				List.of(), Map.of(), FETCHED, null, false, Duration.ofHours(12), null, null, List.of(), Forecast.NONE);

		Map<GaugeRow, Double> rows = BalanceRows.of(response(mixed), this.alerts);

		assertThat(rows.entrySet()).filteredOn((row) -> row.getKey().gauge() == BalanceGauge.ESTIMATED_REMAINING)
			.containsExactly(Map.entry(new GaugeRow(BalanceGauge.ESTIMATED_REMAINING, TEAM_A.and("product", "image")), 31.25));
	}

	@Test
	void thresholdsComeFromTheAlertSettingsAccountFirst() {
		AccountBalance useapi = new AccountBalance("useapi", "someone@example.com", "credits", null, null, List.of(), List.of(),
				Map.of(), FETCHED, null, false, null, null, null, List.of(), Forecast.NONE);

		Map<GaugeRow, Double> rows = BalanceRows.of(
				response(account("team-a", null, null, List.of(), Map.of(), FETCHED, null, Forecast.NONE),
						account("team-b", null, null, List.of(), Map.of(), FETCHED, null, Forecast.NONE), useapi),
				this.alerts);

		assertThat(rows.entrySet()).filteredOn((row) -> row.getKey().gauge() == BalanceGauge.LOW_BALANCE_THRESHOLD)
			.containsExactlyInAnyOrder(Map.entry(new GaugeRow(BalanceGauge.LOW_BALANCE_THRESHOLD, TEAM_A), 150.0),
					Map.entry(new GaugeRow(BalanceGauge.LOW_BALANCE_THRESHOLD,
							Tags.of("provider", "kling", "account", "team-b", "unit", "units")), 20.0));
	}

	@Test
	void poolsHaveTheirRemainingAndRunOutDateWhenKnown() {
		Instant runsOut = Instant.parse("2026-12-01T00:00:00Z");
		BalancesResponse response = new BalancesResponse(FETCHED, true, List.of(),
				List.of(new ProviderTotal("kling", "video", "units", new BigDecimal("258"), new BigDecimal("500"), 3, true, false,
						new Forecast(new BigDecimal("10"), runsOut, null, null, null)),
						new ProviderTotal("useapi", "video", "credits", null, null, 0, false, false, Forecast.NONE)),
				List.of());

		Map<GaugeRow, Double> rows = BalanceRows.of(response, this.alerts);

		Tags kling = Tags.of("provider", "kling", "product", "video", "unit", "units");
		assertThat(rows).containsOnly(Map.entry(new GaugeRow(BalanceGauge.POOL_REMAINING, kling), 258.0),
				Map.entry(new GaugeRow(BalanceGauge.POOL_RUNS_OUT, kling), (double) runsOut.getEpochSecond()));
	}

	private static AccountBalance account(String id, BigDecimal remaining, BigDecimal total, List<Grant> grants,
			Map<String, Object> details, Instant fetchedAt, AccountError error, Forecast forecast) {
		// Figures or a forecast belong to the account's one product, video.
		List<ProductBalance> products = (remaining != null || forecast != Forecast.NONE || !grants.isEmpty())
				? List.of(new ProductBalance("video", remaining, total, forecast, List.of())) : List.of();
		return new AccountBalance("kling", id, "units", remaining, total, products, grants, details, fetchedAt, null,
				false, Duration.ofHours(12), null, error, List.of(), forecast);
	}

	private static Grant grant(String id, GrantStatus status, String remaining, Instant expiresAt) {
		return new Grant(id, "pack", "video", "decreasing_total", status, null, new BigDecimal("200"),
				(remaining != null) ? new BigDecimal(remaining) : null, null, expiresAt);
	}

	private static BalancesResponse response(AccountBalance... accounts) {
		return new BalancesResponse(FETCHED, true, List.of(accounts), List.of(), List.of());
	}

}
