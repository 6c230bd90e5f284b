package dev.klingbalances.notify;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.FailureClass;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.notify.ConditionEvaluator.Verdict;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.store.MemoryNotificationStateStore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules of each condition on hand-made accounts: thresholds, hysteresis, and what unknown means. */
class ConditionEvaluatorTest {

	private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

	private final MemoryNotificationStateStore store = new MemoryNotificationStateStore();

	private ConditionEvaluator evaluator(String... settings) {
		return new ConditionEvaluator(TestSettings.balances(settings), 0.05, this.store);
	}

	private static AccountBalance account(@Nullable String remaining, @Nullable Instant fetchedAt, boolean stale,
			@Nullable AccountError error, Map<String, Object> details, Forecast forecast) {
		return new AccountBalance("kling", "team-a", "units", (remaining != null) ? new BigDecimal(remaining) : null,
				(remaining != null) ? new BigDecimal("5000") : null, List.of(), List.of(), details, fetchedAt, null, stale, null,
				null, error, List.of(), forecast);
	}

	private static AccountBalance withRemaining(@Nullable String remaining) {
		return account(remaining, (remaining != null) ? NOW : null, false, null, Map.of(), Forecast.NONE);
	}

	private Verdict verdict(ConditionEvaluator evaluator, AccountBalance account, EventType type) {
		BalancesResponse response = new BalancesResponse(NOW, true, List.of(account), List.of(), List.of());
		return evaluator.evaluate(response, NOW)
			.stream()
			.filter((observation) -> observation.key().type() == type)
			.findFirst()
			.orElseThrow()
			.verdict();
	}

	@Test
	void lowBalanceHoldsBelowTheThresholdAndClearsOnlyBeyondTheBand() {
		ConditionEvaluator evaluator = evaluator("balances.alerts.low-balance.units=1000");
		assertThat(verdict(evaluator, withRemaining("999.99"), EventType.LOW_BALANCE)).isEqualTo(Verdict.HOLDS);
		assertThat(verdict(evaluator, withRemaining("1000"), EventType.LOW_BALANCE)).isEqualTo(Verdict.KEEP);
		assertThat(verdict(evaluator, withRemaining("1050"), EventType.LOW_BALANCE)).isEqualTo(Verdict.KEEP);
		assertThat(verdict(evaluator, withRemaining("1050.01"), EventType.LOW_BALANCE)).isEqualTo(Verdict.CLEAR);
		assertThat(verdict(evaluator, withRemaining(null), EventType.LOW_BALANCE)).as("unknown is not clear")
			.isEqualTo(Verdict.KEEP);
		assertThat(verdict(evaluator(), withRemaining("1"), EventType.LOW_BALANCE)).as("no threshold: never low")
			.isEqualTo(Verdict.CLEAR);
	}

	@Test
	void runOutHoldsWithinTheWindowAndClearsBeyondItStretchedByTheHysteresis() {
		ConditionEvaluator evaluator = evaluator();
		// Window 14 days; clear beyond 14.7 days.
		assertThat(verdict(evaluator, runsOut("100", NOW.plus(Duration.ofDays(14)).minusSeconds(1)), EventType.RUNS_OUT))
			.isEqualTo(Verdict.HOLDS);
		assertThat(verdict(evaluator, runsOut("100", NOW.plus(Duration.ofHours(14 * 24 + 16))), EventType.RUNS_OUT))
			.isEqualTo(Verdict.KEEP);
		assertThat(verdict(evaluator, runsOut("100", NOW.plus(Duration.ofHours(14 * 24 + 17))), EventType.RUNS_OUT))
			.isEqualTo(Verdict.CLEAR);
		assertThat(verdict(evaluator, runsOut("0", null), EventType.RUNS_OUT)).as("has run out").isEqualTo(Verdict.HOLDS);
		assertThat(verdict(evaluator, runsOut("100", null), EventType.RUNS_OUT)).as("never runs out at this rate")
			.isEqualTo(Verdict.CLEAR);
		assertThat(verdict(evaluator, withRemaining("0"), EventType.RUNS_OUT)).as("no rate yet")
			.isEqualTo(Verdict.KEEP);
		// A rate, but a grant's remaining is unknown: no date, no expiringUnused, and no verdict.
		Forecast unknownGrant = new Forecast(new BigDecimal("10"), null, null, null, null);
		assertThat(verdict(evaluator, account("100", NOW, false, null, Map.of(), unknownGrant), EventType.RUNS_OUT))
			.as("an active grant's remaining unknown").isEqualTo(Verdict.KEEP);
		assertThat(verdict(evaluator, account(null, NOW, false, null, Map.of(), unknownGrant), EventType.RUNS_OUT))
			.as("the account's remaining unknown").isEqualTo(Verdict.KEEP);
	}

	private static AccountBalance runsOut(String remaining, @Nullable Instant at) {
		return account(remaining, NOW, false, null, Map.of(),
				new Forecast(new BigDecimal("10"), at, null, new Forecast.ExpiringUnused(BigDecimal.ZERO, null), null));
	}

	@Test
	void expiringUnusedNeedsAnAmountAndADateWithinTheWindow() {
		ConditionEvaluator evaluator = evaluator();
		assertThat(verdict(evaluator, unused("5", NOW.plus(Duration.ofDays(6))), EventType.EXPIRING_UNUSED))
			.isEqualTo(Verdict.HOLDS);
		assertThat(verdict(evaluator, unused("5", NOW.plus(Duration.ofDays(8))), EventType.EXPIRING_UNUSED))
			.isEqualTo(Verdict.CLEAR);
		assertThat(verdict(evaluator, unused("0", null), EventType.EXPIRING_UNUSED)).isEqualTo(Verdict.CLEAR);
		assertThat(verdict(evaluator, withRemaining("5"), EventType.EXPIRING_UNUSED)).as("no forecast")
			.isEqualTo(Verdict.KEEP);
	}

	private static AccountBalance unused(String amount, @Nullable Instant by) {
		return account("100", NOW, false, null, Map.of(),
				new Forecast(BigDecimal.ONE, null, null, new Forecast.ExpiringUnused(new BigDecimal(amount), by), null));
	}

	@Test
	void sessionExpiryHoldsWithinTheWarningAndAfterExpiryAndIsUnknownWithoutFigures() {
		ConditionEvaluator evaluator = evaluator();
		assertThat(verdict(evaluator, session(NOW.plus(Duration.ofDays(6))), EventType.SESSION_EXPIRING)).isEqualTo(Verdict.HOLDS);
		assertThat(verdict(evaluator, session(NOW.minus(Duration.ofDays(1))), EventType.SESSION_EXPIRING))
			.as("expired: still holds").isEqualTo(Verdict.HOLDS);
		assertThat(verdict(evaluator, session(NOW.plus(Duration.ofDays(30))), EventType.SESSION_EXPIRING)).isEqualTo(Verdict.CLEAR);
		assertThat(verdict(evaluator, withRemaining("5"), EventType.SESSION_EXPIRING)).as("no session (Kling)")
			.isEqualTo(Verdict.CLEAR);
		assertThat(verdict(evaluator, withRemaining(null), EventType.SESSION_EXPIRING)).isEqualTo(Verdict.KEEP);
	}

	private static AccountBalance session(Instant expiresAt) {
		return account("5", NOW, false, null, Map.of(BalanceSnapshot.SESSION_EXPIRES_AT, expiresAt), Forecast.NONE);
	}

	@Test
	void staleFiguresCountWhenARefreshFailedOrEveryAccountIsKeptWarm() {
		AccountError error = new AccountError(ErrorCode.UPSTREAM_TIMEOUT, "slow", null, NOW);
		Instant old = NOW.minus(Duration.ofMinutes(61));
		AccountBalance failed = account("5", old, true, error, Map.of(), Forecast.NONE);
		AccountBalance unrefreshed = account("5", old, true, null, Map.of(), Forecast.NONE);
		assertThat(verdict(evaluator(), failed, EventType.STALE_DATA)).isEqualTo(Verdict.HOLDS);
		assertThat(verdict(evaluator(), unrefreshed, EventType.STALE_DATA)).as("keep-warm=all").isEqualTo(Verdict.HOLDS);
		ConditionEvaluator onRequest = evaluator("balances.cache.keep-warm=requested");
		assertThat(verdict(onRequest, failed, EventType.STALE_DATA)).isEqualTo(Verdict.HOLDS);
		assertThat(verdict(onRequest, unrefreshed, EventType.STALE_DATA)).as("nobody asked: stale by design")
			.isEqualTo(Verdict.CLEAR);
		assertThat(verdict(evaluator(), account("5", NOW.minus(Duration.ofMinutes(59)), true, error, Map.of(), Forecast.NONE),
				EventType.STALE_DATA)).isEqualTo(Verdict.CLEAR);
		assertThat(verdict(evaluator(), account(null, null, false, error, Map.of(), Forecast.NONE), EventType.STALE_DATA))
			.as("no figures at all").isEqualTo(Verdict.KEEP);
	}

	@Test
	void everyErrorCodeIsAnOutageOrNeedsSomeoneAndAPendingFetchChangesNothing() {
		assertThat(Arrays.stream(ErrorCode.values()).filter((code) -> ConditionEvaluator.type(code) == EventType.UPSTREAM_OUTAGE))
			.allMatch((code) -> code.failureClass() == FailureClass.UNAVAILABLE || code.failureClass() == FailureClass.THROTTLED)
			.contains(ErrorCode.THROTTLED, ErrorCode.UPSTREAM_UNAVAILABLE, ErrorCode.UPSTREAM_TIMEOUT);
		assertThat(ConditionEvaluator.type(ErrorCode.AUTHENTICATION_FAILED)).isEqualTo(EventType.ACCOUNT_ACTION_REQUIRED);
		assertThat(ConditionEvaluator.type(ErrorCode.ACCOUNT_IN_ARREARS)).isEqualTo(EventType.ACCOUNT_ACTION_REQUIRED);

		ConditionEvaluator evaluator = evaluator("balances.alerts.error-after=0s");
		AccountBalance arrears = account(null, null, false,
				new AccountError(ErrorCode.ACCOUNT_IN_ARREARS, "arrears", 429, NOW), Map.of(), Forecast.NONE);
		assertThat(verdict(evaluator, arrears, EventType.ACCOUNT_ACTION_REQUIRED)).isEqualTo(Verdict.HOLDS);
		assertThat(verdict(evaluator, arrears, EventType.UPSTREAM_OUTAGE)).isEqualTo(Verdict.CLEAR);
		AccountBalance pending = account(null, null, false, new AccountError(ErrorCode.PENDING, "loading", null, NOW),
				Map.of(), Forecast.NONE);
		assertThat(verdict(evaluator, pending, EventType.ACCOUNT_ACTION_REQUIRED)).isEqualTo(Verdict.KEEP);
		assertThat(verdict(evaluator, pending, EventType.UPSTREAM_OUTAGE)).isEqualTo(Verdict.KEEP);
		assertThat(verdict(evaluator, withRemaining("5"), EventType.ACCOUNT_ACTION_REQUIRED)).isEqualTo(Verdict.CLEAR);
	}

	@Test
	void amountsAndDurationsReadWell() {
		assertThat(ConditionEvaluator.amount(new BigDecimal("1000.000"))).isEqualTo("1000");
		assertThat(ConditionEvaluator.amount(new BigDecimal("33.33333"))).isEqualTo("33.33");
		assertThat(ConditionEvaluator.duration(Duration.ofDays(14))).isEqualTo("14d");
		assertThat(ConditionEvaluator.duration(Duration.ofMinutes(65))).isEqualTo("1h 5m");
		assertThat(ConditionEvaluator.duration(Duration.ofSeconds(30))).isEqualTo("30s");
	}

}
