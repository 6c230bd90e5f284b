package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.NextAccount;
import dev.klingbalances.model.ProductBalance;
import dev.klingbalances.provider.BalanceSnapshot;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The policy of {@code GET /balances/next}: who is left out and why, and the order of the rest. */
class AccountPickerTest {

	private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

	private static final Instant FETCHED = NOW.minus(Duration.ofMinutes(5));

	private static final BigDecimal NEED = new BigDecimal("20");

	@Test
	void capacityThatExpiresFirstIsUsedFirst() {
		AccountBalance later = kling("a-later", "100", null, day(30));
		AccountBalance sooner = kling("b-sooner", "30", null, day(3));
		AccountBalance never = kling("c-never", "900", null, null);

		AccountPicker.Pick pick = pick(never, later, sooner);

		assertThat(pick.answer().value().account()).isEqualTo("b-sooner");
		assertThat(pick.answer().value().drawsFrom()).isEqualTo(new NextAccount.DrawsFrom("b-sooner-pack", "Video Generation", day(3)));
		assertThat(pick.answer().value().reason()).startsWith("Its video capacity expires first (" + day(3) + ").")
			.endsWith("Chosen among 3 accounts with at least 20 video left.");
		assertThat(pick.candidates()).extracting(NextAccount.Candidate::account, NextAccount.Candidate::rank)
			.containsExactly(tuple("b-sooner", 1), tuple("a-later", 2), tuple("c-never", 3));
		assertThat(pick.candidates().get(2).reason()).isEqualTo("Its video capacity expires never, after kling/a-later's.");
	}

	@Test
	void theAccountsEarliestGrantWithCapacityIsWhatItDrawsFrom() {
		// b's soonest pack is used up, its next expires on day 40: a (day 30) goes first.
		AccountBalance a = kling("a", "50", null, day(30));
		Grant usedUp = grant("b-used", GrantStatus.EXHAUSTED, "0", day(2));
		Grant image = new Grant("b-image", "Image Generation", "image", "decreasing_total", GrantStatus.ACTIVE, "online",
				new BigDecimal("500"), new BigDecimal("500"), null, day(1));
		AccountBalance b = account("kling", "b", List.of(usedUp, image, grant("b-video", GrantStatus.ACTIVE, "80", day(40))),
				new ProductBalance("video", new BigDecimal("80"), null, new BigDecimal("100"), Forecast.NONE, List.of()),
				Map.of(), null, FETCHED);

		AccountPicker.Pick pick = pick(b, a);

		assertThat(pick.candidates()).extracting(NextAccount.Candidate::account).containsExactly("a", "b");
		assertThat(pick.candidates().get(1).drawsFrom().grant()).isEqualTo("b-video");
	}

	@Test
	void sameExpiryGoesToTheLargerEstimateThenToTheName() {
		// b reports less but its estimate is what counts: c (estimate 90) before b (80) before a (60).
		AccountBalance a = kling("a", "60", null, day(10));
		AccountBalance b = kling("b", "300", "80", day(10));
		AccountBalance c = kling("c", "90", null, day(10));
		AccountBalance d = kling("d", "90", null, day(10));

		AccountPicker.Pick pick = pick(a, b, d, c);

		assertThat(pick.candidates()).extracting(NextAccount.Candidate::account)
			.containsExactly("c", "d", "b", "a");
		assertThat(pick.answer().value().reason()).startsWith("Tied with the next on expiry and capacity; first by name.");
		assertThat(pick.candidates().get(1).reason()).isEqualTo("Tied with kling/c on expiry and capacity; after it by name.");
		assertThat(pick.candidates().get(2).reason()).isEqualTo("Expires like kling/d's but less is left (80).");
		assertThat(pick.candidates().get(2).estimatedRemaining()).isEqualByComparingTo("80");
	}

	@Test
	void everyExclusionHasItsReasonAndNoneLeftIsNoAnswer() {
		AccountBalance failed = new AccountBalance("kling", "e-error", "units", new BigDecimal("500"), null, null,
				List.of(products("500", null)), List.of(grant("e-pack", GrantStatus.ACTIVE, "500", day(1))), Map.of(),
				FETCHED, FETCHED.plus(Duration.ofMinutes(15)), true, Duration.ofHours(12), null,
				new AccountError(ErrorCode.ACCOUNT_IN_ARREARS, "arrears", 429, NOW), List.of(), Forecast.NONE);
		// Kling: 12 h delay + 15 min TTL; fetched 12 h 15 min ago is too old, a minute less is not.
		AccountBalance outdated = account("kling", "o-outdated", List.of(grant("o-pack", GrantStatus.ACTIVE, "500", day(1))),
				products("500", null), Map.of(), Duration.ofHours(12), NOW.minus(Duration.ofMinutes(12 * 60 + 15)));
		AccountBalance oldButUsable = account("kling", "u-usable", List.of(grant("u-pack", GrantStatus.ACTIVE, "500", day(2))),
				products("500", null), Map.of(), Duration.ofHours(12), NOW.minus(Duration.ofMinutes(12 * 60 + 14)));
		AccountBalance unknown = new AccountBalance("kling", "n-none", "units", null, null, List.of(), List.of(), Map.of(),
				null, null, false, Duration.ofHours(12), null, null, List.of(), Forecast.NONE);
		AccountBalance noSlot = account("useapi", "s@example.com",
				List.of(new Grant("order", null, "video", "plan", GrantStatus.ACTIVE, null, new BigDecimal("900"),
						new BigDecimal("900"), null, null)),
				products("900", null), Map.of(BalanceSnapshot.MAX_JOBS, 0), null, FETCHED);
		AccountBalance busy = account("useapi", "t@example.com",
				List.of(new Grant("order", null, "video", "plan", GrantStatus.ACTIVE, null, new BigDecimal("900"),
						new BigDecimal("900"), null, null)),
				products("900", null), Map.of(BalanceSnapshot.MAX_JOBS, 5, BalanceSnapshot.FREE_JOB_SLOTS, 0), null, FETCHED);
		AccountBalance estimatedLow = kling("b-below", "300", "19.5", day(1));
		AccountBalance reportedLow = kling("r-below", "19", null, day(1));

		AccountPicker.Pick pick = pick(failed, outdated, unknown, noSlot, busy, estimatedLow, reportedLow, oldButUsable);

		assertThat(pick.answer().value().account()).isEqualTo("u-usable");
		assertThat(pick.candidates()).extracting(NextAccount.Candidate::account, NextAccount.Candidate::rank,
				NextAccount.Candidate::excluded)
			.containsExactly(tuple("u-usable", 1, null), tuple("e-error", null, NextAccount.Exclusion.ERROR),
					tuple("o-outdated", null, NextAccount.Exclusion.OUTDATED),
					tuple("n-none", null, NextAccount.Exclusion.NO_FIGURES),
					tuple("s@example.com", null, NextAccount.Exclusion.NO_JOB_SLOT),
					tuple("t@example.com", null, NextAccount.Exclusion.NO_JOB_SLOT),
					tuple("b-below", null, NextAccount.Exclusion.BELOW_NEED),
					tuple("r-below", null, NextAccount.Exclusion.BELOW_NEED));
		assertThat(pick.candidates()).extracting(NextAccount.Candidate::reason)
			.contains("Its latest fetch failed or is still running (ACCOUNT_IN_ARREARS).",
					"Only 19.5 video left (estimated), less than the 20 needed.",
					"Only 19 video left, less than the 20 needed.");

		AccountPicker.Pick none = pick(failed, outdated, unknown, noSlot, busy, estimatedLow, reportedLow);
		assertThat(none.answer()).isNull();
		assertThat(none.candidates()).hasSize(7).allSatisfy((candidate) -> assertThat(candidate.excluded()).isNotNull());
		assertThat(none.detail()).isEqualTo("No account has at least 20 video left and can take a job now (7 considered); "
				+ "the candidates say why each was left out.");
	}

	@Test
	void aNeedEqualToTheCapacityIsEnough() {
		assertThat(pick(kling("exact", "20", null, day(1))).answer().value().reason())
			.isEqualTo("The only account that can take the job. Chosen among 1 account with at least 20 video left.");
	}

	private static AccountPicker.Pick pick(AccountBalance... accounts) {
		BalancesResponse response = new BalancesResponse(NOW, true, List.of(accounts), List.of(), List.of());
		return AccountPicker.pick(response, "video", NEED, NOW, null, TestSettings.jsonMapper());
	}

	/** A Kling account holding one video pack, read 5 minutes ago. */
	private static AccountBalance kling(String name, String remaining, @Nullable String estimate,
			@Nullable Instant expiresAt) {
		return account("kling", name, List.of(grant(name + "-pack", GrantStatus.ACTIVE, remaining, expiresAt)),
				products(remaining, estimate), Map.of(), Duration.ofHours(12), FETCHED);
	}

	private static ProductBalance products(String remaining, @Nullable String estimate) {
		return new ProductBalance("video", new BigDecimal(remaining), (estimate != null) ? new BigDecimal(estimate) : null,
				new BigDecimal("1000"), Forecast.NONE, List.of());
	}

	private static Grant grant(String id, GrantStatus status, String remaining, @Nullable Instant expiresAt) {
		return new Grant(id, "Video Generation", "video", "decreasing_total", status, "online", new BigDecimal("1000"),
				new BigDecimal(remaining), null, expiresAt);
	}

	private static AccountBalance account(String provider, String name, List<Grant> grants, ProductBalance figures,
			Map<String, Object> details, @Nullable Duration delay, Instant fetchedAt) {
		return new AccountBalance(provider, name, "units", figures.remaining(), figures.estimatedRemaining(),
				figures.total(), List.of(figures), grants, details, fetchedAt, fetchedAt.plus(Duration.ofMinutes(15)),
				false, delay, null, null, List.of(), Forecast.NONE);
	}

	private static Instant day(int days) {
		return NOW.plus(Duration.ofDays(days));
	}

}
