package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.store.MemoryHistoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Answers per scope: prepared once per scope (not per request), holding nothing outside it, fetching nothing outside it. */
class ScopedViewsTest {

	private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

	private final MutableClock clock = new MutableClock(T0);

	private final FakeProvider kling = new FakeProvider("kling", "units", Duration.ofMinutes(15), "render-1", "render-2", "ops")
		.answer("render-1", () -> Mono.just(FakeProvider.snapshot(FakeProvider.grant(GrantStatus.ACTIVE, "100", "10"))))
		.answer("render-2", () -> Mono.just(FakeProvider.snapshot(FakeProvider.grant(GrantStatus.ACTIVE, "100", "20"))))
		.answer("ops", () -> Mono.just(FakeProvider.snapshot(FakeProvider.grant(GrantStatus.ACTIVE, "100", "40"))));

	private final BalanceService service = new BalanceService(List.of(this.kling),
			TestSettings.balances("balances.cache.warm-up=false", "balances.cache.keep-warm=requested"), this.clock,
			new SimpleMeterRegistry(), TestSettings.jsonMapper(), new MemoryHistoryStore(), null);

	private final AccountScope render = AccountScope.of(List.of("kling/render-*"));

	@Test
	void eachScopeHasItsOwnPreparedAnswer() {
		BalanceView scoped = this.service.balances(Set.of(), null, false, this.render);
		assertThat(this.kling.fetches("ops")).as("outside the scope: not fetched for it").isZero();

		assertThat(this.service.balances(Set.of(), null, false, this.render)).as("prepared once, served again")
			.isSameAs(scoped);
		assertThat(this.service.balances(Set.of(), null, false, AccountScope.of(List.of("kling/render-*"))))
			.as("another key with the same patterns shares it").isSameAs(scoped);
		BalanceView all = this.service.balances(Set.of(), null, false, AccountScope.ALL);
		assertThat(all).isNotSameAs(scoped);
		// Fetching ops for the unscoped answer changed the cache: the scoped answer is rebuilt, still without ops.
		scoped = this.service.balances(Set.of(), null, false, this.render);

		assertThat(scoped.response().accounts()).extracting(AccountBalance::account).containsExactly("render-1", "render-2");
		assertThat(scoped.response().totals().get(0).remaining()).isEqualByComparingTo(new BigDecimal("30"));
		assertThat(all.response().totals().get(0).remaining()).isEqualByComparingTo(new BigDecimal("70"));
		assertThat(scoped.content().etag()).isNotEqualTo(all.content().etag());
	}

	@Test
	void anAccountOutsideTheScopeIsUnknownAndNeverFetched() {
		assertThatExceptionOfType(UnknownResourceException.class)
			.isThrownBy(() -> this.service.balance("kling", "ops", true, this.render))
			.withMessage("Provider 'kling' has no account with that name.");
		assertThatExceptionOfType(UnknownResourceException.class)
			.isThrownBy(() -> this.service.history("kling", "ops", null, this.render))
			.withMessage("Provider 'kling' has no account with that name.");
		assertThat(this.kling.fetches("ops")).isZero();
		assertThat(this.service.balance("kling", "render-1", false, this.render).value().remaining())
			.isEqualByComparingTo("10");
	}

}
