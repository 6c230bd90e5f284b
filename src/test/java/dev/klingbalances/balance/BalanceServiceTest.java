package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import dev.klingbalances.forecast.AccountHistory;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.ProductBalance;
import dev.klingbalances.model.Products;
import dev.klingbalances.model.ProviderTotal;
import dev.klingbalances.provider.AccountListUnavailableException;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.store.MemoryHistoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static dev.klingbalances.balance.FakeProvider.grant;
import static dev.klingbalances.balance.FakeProvider.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class BalanceServiceTest {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));

	private final FakeProvider kling = new FakeProvider("kling", "units", Duration.ofMinutes(15), "team-a", "team-b");

	private final FakeProvider useapi = new FakeProvider("useapi", "credits", Duration.ofMinutes(2), "a@example.com");

	private BalanceService service(Duration deadline) {
		BalancesProperties properties = TestSettings.balances("balances.deadline=" + deadline.toMillis() + "ms",
				"balances.cache.warm-up=false", "balances.cache.keep-warm=requested");
		return new BalanceService(List.of(this.useapi, this.kling), properties, this.clock, new SimpleMeterRegistry(),
				TestSettings.jsonMapper(), new MemoryHistoryStore(), null);
	}

	private BalanceService service() {
		return service(Duration.ofSeconds(2));
	}

	@Test
	void accountRemainingAndTotalCountActiveGrantsOnly() {
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "200", "118"),
				grant(GrantStatus.EXPIRED, "500", "400"), grant(GrantStatus.PENDING, "100", "100"),
				grant(GrantStatus.UNKNOWN, "50", "50"), grant(GrantStatus.ACTIVE, "10.5", "0.5"))));
		AccountBalance account = service().balance("kling", "team-a", false).value();
		assertThat(account.remaining()).isEqualByComparingTo("118.5");
		assertThat(account.total()).isEqualByComparingTo("210.5");
		assertThat(account.grants()).hasSize(5);
		assertThat(account.stale()).isFalse();
		assertThat(account.error()).isNull();
		assertThat(account.fetchedAt()).isEqualTo(this.clock.instant());
		assertThat(account.freshUntil()).isEqualTo(this.clock.instant().plus(Duration.ofMinutes(15)));
	}

	@Test
	void providersKeepTheirOwnUnitsAndTotalsAreNeverMixed() {
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "200", "118"))));
		this.kling.answer("team-b", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "100", "20"))));
		this.useapi.answer("a@example.com", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "66000", "56000"))));
		BalancesResponse response = service().balances(Set.of(), false).response();
		assertThat(response.complete()).isTrue();
		assertThat(response.accounts()).extracting(AccountBalance::provider, AccountBalance::account, AccountBalance::unit)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("kling", "team-a", "units"),
					org.assertj.core.groups.Tuple.tuple("kling", "team-b", "units"),
					org.assertj.core.groups.Tuple.tuple("useapi", "a@example.com", "credits"));
		assertThat(response.totals()).hasSize(2);
		ProviderTotal klingTotal = response.totals().get(0);
		assertThat(klingTotal.unit()).isEqualTo("units");
		assertThat(klingTotal.remaining()).isEqualByComparingTo("138");
		assertThat(klingTotal.total()).isEqualByComparingTo("300");
		assertThat(klingTotal.accounts()).isEqualTo(2);
		ProviderTotal useapiTotal = response.totals().get(1);
		assertThat(useapiTotal.unit()).isEqualTo("credits");
		assertThat(useapiTotal.remaining()).isEqualByComparingTo("56000");
	}

	@Test
	void failingAccountIsListedWithItsErrorAndNoFigureWhileOthersStayIntact() {
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "200", "118"))));
		this.kling.answer("team-b", () -> Mono.error(new UpstreamException(ErrorCode.ACCOUNT_IN_ARREARS,
				"Kling answered code 1101: the account is in arrears.", 429)));
		BalancesResponse response = service().balances(Set.of("kling"), false).response();
		assertThat(response.complete()).isFalse();
		AccountBalance failed = response.accounts().get(1);
		assertThat(failed.account()).isEqualTo("team-b");
		assertThat(failed.remaining()).isNull();
		assertThat(failed.total()).isNull();
		assertThat(failed.error().code()).isEqualTo(ErrorCode.ACCOUNT_IN_ARREARS);
		assertThat(failed.error().upstreamStatus()).isEqualTo(429);
		assertThat(response.accounts().get(0).remaining()).isEqualByComparingTo("118");
		ProviderTotal total = response.totals().get(0);
		assertThat(total.remaining()).isEqualByComparingTo("118");
		assertThat(total.accounts()).isEqualTo(1);
		assertThat(total.complete()).isFalse();
	}

	@Test
	void outageAfterAGoodFetchServesTheLastGoodFiguresMarkedStale() {
		AtomicInteger attempt = new AtomicInteger();
		this.useapi.answer("a@example.com", () -> (attempt.incrementAndGet() == 1)
				? Mono.just(snapshot(grant(GrantStatus.ACTIVE, "66000", "56000")))
				: Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "useapi.net answered 503.", 503)));
		BalanceService service = service();
		Instant firstFetch = this.clock.instant();
		service.balance("useapi", "a@example.com", false).value();
		this.clock.advance(Duration.ofMinutes(3));
		AccountBalance stale = service.balance("useapi", "a@example.com", false).value();
		assertThat(stale.remaining()).isEqualByComparingTo("56000");
		assertThat(stale.stale()).isTrue();
		assertThat(stale.fetchedAt()).isEqualTo(firstFetch);
		assertThat(stale.error().code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		this.clock.advance(Duration.ofHours(24));
		AccountBalance expired = service.balance("useapi", "a@example.com", false).value();
		assertThat(expired.remaining()).isNull();
		assertThat(expired.error().code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
	}

	@Test
	void accountStillLoadingAtTheDeadlineIsPendingAndFillsInLater() {
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "200", "118"))));
		this.kling.answer("team-b", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "100", "20")))
			.delayElement(Duration.ofMillis(1500)));
		BalanceService service = service(Duration.ofMillis(300));
		long start = System.nanoTime();
		BalancesResponse first = service.balances(Set.of(), false).response();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1400));
		assertThat(first.accounts().get(0).remaining()).isEqualByComparingTo("118");
		AccountBalance pending = first.accounts().get(1);
		assertThat(pending.remaining()).isNull();
		assertThat(pending.error().code()).isEqualTo(ErrorCode.PENDING);
		assertThat(first.complete()).isFalse();
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> service.balance("kling", "team-b", false).value().remaining() != null);
		assertThat(this.kling.fetches("team-b")).isEqualTo(1);
	}

	@Test
	void accountWithoutGrantsSaysWhyInsteadOfAlarmingZero() {
		this.kling.answer("team-a", () -> Mono.just(snapshot()));
		AccountBalance account = service().balance("kling", "team-a", false).value();
		assertThat(account.remaining()).isEqualByComparingTo(BigDecimal.ZERO);
		assertThat(account.error()).isNull();
		assertThat(account.remark()).contains("no grants");
	}

	@Test
	void activeGrantWithUnknownQuantityMakesTheAccountUnknownNotZero() {
		Grant unknown = new Grant("x", "pack", "video", "decreasing_total", GrantStatus.ACTIVE, "online", new BigDecimal("10"),
				null, null, null);
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "200", "118"), unknown)));
		AccountBalance account = service().balance("kling", "team-a", false).value();
		assertThat(account.remaining()).isNull();
		assertThat(account.remark()).contains("unknown");
	}

	@Test
	void discoveryFailureIsReportedAsAProviderError() {
		this.useapi.accounts(() -> Mono.error(new UpstreamException(ErrorCode.SUBSCRIPTION_REQUIRED,
				"useapi.net answered 402: the subscription has lapsed.", 402)));
		BalancesResponse response = service().balances(Set.of("useapi"), false).response();
		assertThat(response.complete()).isFalse();
		assertThat(response.accounts()).isEmpty();
		assertThat(response.providerErrors()).singleElement().satisfies((error) -> {
			assertThat(error.provider()).isEqualTo("useapi");
			assertThat(error.error().code()).isEqualTo(ErrorCode.SUBSCRIPTION_REQUIRED);
		});
		assertThat(response.totals()).singleElement().satisfies((total) -> {
			assertThat(total.remaining()).isNull();
			assertThat(total.total()).isNull();
			assertThat(total.complete()).isFalse();
		});
		assertThatExceptionOfType(AccountListUnavailableException.class)
			.isThrownBy(() -> service().balance("useapi", "a@example.com", false).value());
	}

	@Test
	void unknownProviderOrAccountIsNotFoundAndNeverFetched() {
		BalanceService service = service();
		assertThatExceptionOfType(UnknownResourceException.class)
			.isThrownBy(() -> service.balance("openai", "team-a", false).value());
		assertThatExceptionOfType(UnknownResourceException.class)
			.isThrownBy(() -> service.balance("kling", "team-z", false).value());
		assertThat(this.kling.fetches("team-z")).isZero();
	}

	@Test
	void totalIsUnknownNotZeroWhenEveryAccountFailedWithoutAGoodSnapshot() {
		this.kling.answer("team-a", () -> Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "down", 503)));
		this.kling.answer("team-b", () -> Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "down", 503)));
		ProviderTotal total = service().balances(Set.of("kling"), false).response().totals().get(0);
		assertThat(total.remaining()).isNull();
		assertThat(total.total()).isNull();
		assertThat(total.accounts()).isZero();
		assertThat(total.complete()).isFalse();
	}

	@Test
	void anAccountHoldingTwoProductsListsEachAndAddsNoneUp() {
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant("video", GrantStatus.ACTIVE, "200", "118"),
				grant("image", GrantStatus.ACTIVE, "500", "40"), grant("image", GrantStatus.EXHAUSTED, "100", "0"),
				grant("other", GrantStatus.PENDING, "10", "10"))));
		AccountBalance account = service().balance("kling", "team-a", false).value();
		assertThat(account.remaining()).as("never video and image added up").isNull();
		assertThat(account.total()).isNull();
		assertThat(account.forecast()).isEqualTo(Forecast.NONE);
		assertThat(account.products()).extracting(ProductBalance::product, ProductBalance::remaining, ProductBalance::total)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("image", new BigDecimal("40"), new BigDecimal("500")),
					org.assertj.core.groups.Tuple.tuple("other", BigDecimal.ZERO, BigDecimal.ZERO),
					org.assertj.core.groups.Tuple.tuple("video", new BigDecimal("118"), new BigDecimal("200")));
		assertThat(account.remark()).isNull();
	}

	@Test
	void anAccountHoldingOneProductShowsItsFiguresAsTheAccounts() {
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant("image", GrantStatus.ACTIVE, "500", "40"),
				grant("image", GrantStatus.EXPIRED, "100", "30"))));
		AccountBalance account = service().balance("kling", "team-a", false).value();
		assertThat(account.remaining()).isEqualByComparingTo("40");
		assertThat(account.total()).isEqualByComparingTo("500");
		assertThat(account.products()).singleElement().satisfies((image) -> {
			assertThat(image.product()).isEqualTo("image");
			assertThat(image.remaining()).isEqualByComparingTo("40");
			assertThat(image.forecast()).isEqualTo(account.forecast());
		});
	}

	@Test
	void totalsArePerProviderAndProduct() {
		this.kling.products("video", "image", "other");
		this.useapi.products(Products.CREDITS);
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant("video", GrantStatus.ACTIVE, "200", "118"),
				grant("image", GrantStatus.ACTIVE, "500", "40"))));
		this.kling.answer("team-b", () -> Mono.just(snapshot(grant("video", GrantStatus.ACTIVE, "100", "20"))));
		this.useapi.answer("a@example.com",
				() -> Mono.just(snapshot(grant(Products.CREDITS, GrantStatus.ACTIVE, "66000", "56000"))));
		BalancesResponse response = service().balances(Set.of(), false).response();
		assertThat(response.totals())
			.extracting(ProviderTotal::provider, ProviderTotal::product, ProviderTotal::remaining, ProviderTotal::total,
					ProviderTotal::accounts, ProviderTotal::complete)
			.containsExactly(
					org.assertj.core.groups.Tuple.tuple("kling", "video", new BigDecimal("138"), new BigDecimal("300"), 2,
							true),
					org.assertj.core.groups.Tuple.tuple("kling", "image", new BigDecimal("40"), new BigDecimal("500"), 1,
							true),
					org.assertj.core.groups.Tuple.tuple("kling", "other", BigDecimal.ZERO, BigDecimal.ZERO, 0, true),
					org.assertj.core.groups.Tuple.tuple("useapi", "credits", new BigDecimal("56000"),
							new BigDecimal("66000"), 1, true));
	}

	@Test
	void aFailedAccountWithoutFiguresMakesEveryProductsTotalIncomplete() {
		this.kling.products("video", "image");
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant("video", GrantStatus.ACTIVE, "200", "118"))));
		this.kling.answer("team-b", () -> Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "down", 503)));
		List<ProviderTotal> totals = service().balances(Set.of("kling"), false).response().totals();
		assertThat(totals).extracting(ProviderTotal::product, ProviderTotal::remaining, ProviderTotal::complete)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("video", new BigDecimal("118"), false),
					org.assertj.core.groups.Tuple.tuple("image", null, false));
	}

	@Test
	void theProductFilterKeepsAccountsThatHoldItOrMayAndOnlyItsTotals() {
		this.kling.products("video", "image");
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant("image", GrantStatus.ACTIVE, "500", "40"))));
		this.kling.answer("team-b", () -> Mono.just(snapshot(grant("video", GrantStatus.ACTIVE, "100", "20"))));
		this.useapi.answer("a@example.com", () -> Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE,
				"down", 503)));
		BalanceService service = service();
		BalancesResponse images = service.balances(Set.of(), "image", false).response();
		assertThat(images.accounts()).extracting(AccountBalance::account)
			.as("the useapi account has no figures: it may hold images")
			.containsExactly("team-a", "a@example.com");
		assertThat(images.totals()).extracting(ProviderTotal::provider, ProviderTotal::product)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("kling", "image"));
		assertThat(images.complete()).isFalse();
		BalancesResponse videos = service.balances(Set.of("kling"), "video", false).response();
		assertThat(videos.accounts()).extracting(AccountBalance::account).containsExactly("team-b");
		assertThat(videos.totals()).singleElement().satisfies((total) -> {
			assertThat(total.product()).isEqualTo("video");
			assertThat(total.remaining()).isEqualByComparingTo("20");
		});
		assertThat(videos.complete()).isTrue();
		assertThat(service.productNames()).containsExactly("image", "video");
	}

	@Test
	void providerWithoutAccountsTotalsACompleteZero() {
		FakeProvider none = new FakeProvider("kling", "units", Duration.ofMinutes(15));
		BalancesProperties properties = TestSettings.balances("balances.deadline=1s", "balances.cache.warm-up=false");
		ProviderTotal total = new BalanceService(List.of(none), properties, this.clock, new SimpleMeterRegistry(),
				TestSettings.jsonMapper(), new MemoryHistoryStore(), null)
			.balances(Set.of(), false).response()
			.totals()
			.get(0);
		assertThat(total.remaining()).isEqualByComparingTo(BigDecimal.ZERO);
		assertThat(total.complete()).isTrue();
	}

	@Test
	void warmUpFetchesEveryAccountOnceWithoutKeepingThemWarm() {
		this.kling.answer("team-a", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "200", "118"))));
		this.kling.answer("team-b", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "100", "20"))));
		this.useapi.answer("a@example.com", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "66000", "56000"))));
		AtomicInteger listings = new AtomicInteger();
		this.useapi.accounts(() -> {
			listings.incrementAndGet();
			return Mono.just(List.of("a@example.com"));
		});
		BalanceService service = service();
		Instant warmedAt = this.clock.instant();
		service.warmUp();
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> this.kling.fetches("team-a") == 1 && this.kling.fetches("team-b") == 1
					&& this.useapi.fetches("a@example.com") == 1);
		this.clock.advance(Duration.ofMinutes(13));
		service.sweep();
		assertThat(this.kling.fetches("team-a")).as("nobody asked: no refresh ahead").isEqualTo(1);
		assertThat(listings).as("nor of the discovered account list").hasValue(1);
		AccountBalance served = service.balance("kling", "team-a", false).value();
		assertThat(served.remaining()).isEqualByComparingTo("118");
		assertThat(served.fetchedAt()).as("served from the warm cache").isEqualTo(warmedAt);
	}

	@Test
	void historyListsWhatWasRecordedWithoutFetching() {
		AtomicInteger remaining = new AtomicInteger(118);
		this.kling.answer("team-a",
				() -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "200", Integer.toString(remaining.get())))));
		BalanceService service = service();
		Instant first = this.clock.instant();
		service.balance("kling", "team-a", false);
		this.clock.advance(Duration.ofMinutes(20));
		remaining.set(100);
		service.balance("kling", "team-a", false);
		int fetches = this.kling.fetches("team-a");
		AccountHistory history = service.history("kling", "team-a", null);
		assertThat(history.points()).extracting(AccountHistory.Point::at, AccountHistory.Point::remaining)
			.containsExactly(org.assertj.core.groups.Tuple.tuple(first, new BigDecimal("118")),
					org.assertj.core.groups.Tuple.tuple(first.plus(Duration.ofMinutes(20)), new BigDecimal("100")));
		assertThat(service.history("kling", "team-a", first.plusSeconds(1)).points()).hasSize(1);
		assertThat(this.kling.fetches("team-a")).isEqualTo(fetches);
		assertThatExceptionOfType(UnknownResourceException.class)
			.isThrownBy(() -> service.history("kling", "team-z", null));
	}

	@Test
	void historyOutlivesAListThatBrieflyOmitsTheAccountAndIsForgottenAfterTheWindow() {
		// Given an account with recorded figures
		java.util.concurrent.atomic.AtomicReference<List<String>> listed = new java.util.concurrent.atomic.AtomicReference<>(
				List.of("a@example.com"));
		this.useapi.accounts(() -> Mono.just(listed.get()));
		this.useapi.answer("a@example.com", () -> Mono.just(snapshot(grant(GrantStatus.ACTIVE, "66000", "56000"))));
		BalanceService service = service();
		Instant recorded = this.clock.instant();
		service.balances(Set.of("useapi"), false);
		// When one list omits it and the sweep runs
		listed.set(List.of());
		this.clock.advance(Duration.ofMinutes(3));
		assertThat(service.balances(Set.of("useapi"), false).response().accounts()).isEmpty();
		service.sweep();
		// Then, listed again, it still has its history
		listed.set(List.of("a@example.com"));
		this.clock.advance(Duration.ofMinutes(3));
		service.balances(Set.of("useapi"), false);
		assertThat(service.history("useapi", "a@example.com", null).points()).extracting(AccountHistory.Point::at)
			.contains(recorded);
		// And an account unlisted for longer than the window is forgotten by the sweep
		listed.set(List.of());
		this.clock.advance(Duration.ofDays(8));
		service.balances(Set.of("useapi"), false);
		service.sweep();
		listed.set(List.of("a@example.com"));
		this.useapi.answer("a@example.com",
				() -> Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "useapi.net answered 503.", 503)));
		this.clock.advance(Duration.ofMinutes(3));
		service.balances(Set.of("useapi"), false);
		assertThat(service.history("useapi", "a@example.com", recorded).points()).extracting(AccountHistory.Point::at)
			.containsExactly(this.clock.instant());
	}

	@Test
	void discoveryOutageLongerThanMaxStaleKeepsTheLastKnownAccountsWithTheError() {
		// Given a discovered account, then useapi.net down for its list and its accounts
		AtomicInteger listings = new AtomicInteger();
		this.useapi.accounts(() -> (listings.incrementAndGet() == 1) ? Mono.just(List.of("a@example.com"))
				: Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "useapi.net answered 503.", 503)));
		AtomicInteger fetches = new AtomicInteger();
		this.useapi.answer("a@example.com", () -> (fetches.incrementAndGet() == 1)
				? Mono.just(snapshot(grant(GrantStatus.ACTIVE, "66000", "56000")))
				: Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "useapi.net answered 503.", 503)));
		BalanceService service = service();
		service.balances(Set.of("useapi"), false);
		// When the outage lasts longer than max-stale (24 h), with sweeps in between
		for (int hour = 0; hour < 26; hour++) {
			this.clock.advance(Duration.ofHours(1));
			service.balances(Set.of("useapi"), false);
			service.sweep();
		}
		assertThat(listings.get()).as("the list was tried again").isGreaterThan(2);
		// Then the account is still there, with its own error, and the list's error beside it
		BalancesResponse response = service.balances(Set.of("useapi"), false).response();
		assertThat(response.accounts()).singleElement().satisfies((account) -> {
			assertThat(account.account()).isEqualTo("a@example.com");
			assertThat(account.remaining()).as("past max-stale: no figure, never a zero").isNull();
			assertThat(account.error().code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		});
		assertThat(response.providerErrors()).singleElement()
			.satisfies((error) -> assertThat(error.error().code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE));
		assertThat(response.complete()).isFalse();
		assertThat(service.balance("useapi", "a@example.com", false).value().error().code())
			.isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
	}

	@Test
	void noProvidersAnswersAnEmptyCompleteList() {
		BalancesProperties properties = TestSettings.balances("balances.deadline=1s", "balances.cache.warm-up=false");
		BalancesResponse response = new BalanceService(List.of(), properties, this.clock, new SimpleMeterRegistry(),
				TestSettings.jsonMapper(), new MemoryHistoryStore(), null)
			.balances(Set.of(), false).response();
		assertThat(response.accounts()).isEmpty();
		assertThat(response.complete()).isTrue();
	}

}
