package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.ProviderTotal;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.store.MemoryHistoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code estimatedRemaining}: the reported figure less the burn rate over the time since the
 * moment the figures describe, against figures worked out by hand in the comments.
 */
class EstimatedRemainingTest {

	private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

	private final MutableClock clock = new MutableClock(T0);

	private final AtomicReference<String> left = new AtomicReference<>("1000");

	private final FakeProvider kling = new FakeProvider("kling", "units", Duration.ofMinutes(15), "studio", "spare")
		.dataDelay(Duration.ofHours(12))
		.answer("studio", () -> Mono.just(FakeProvider.snapshot(pack("studio-pack", this.left.get()))))
		.answer("spare", () -> Mono.just(FakeProvider.snapshot(pack("spare-pack", "300"))));

	private final BalanceService service = new BalanceService(List.of(this.kling),
			TestSettings.balances("balances.cache.warm-up=false", "balances.cache.keep-warm=requested",
					"balances.forecast.min-span=6h", "balances.cache.max-stale=7d"),
			this.clock, new SimpleMeterRegistry(), TestSettings.jsonMapper(), new MemoryHistoryStore(), null);

	@Test
	void estimateIsTheReportedFigureLessTheBurnSinceTheFiguresMoment() {
		// T0: 1000 left; one reading is no rate, so no estimate (never a guess).
		AccountBalance first = studio(this.service.balances(Set.of(), false));
		assertThat(first.remaining()).isEqualByComparingTo("1000");
		assertThat(first.estimatedRemaining()).isNull();
		assertThat(first.product("video").estimatedRemaining()).isNull();

		// T0 + 6 h: 950 left, read at T0 + 6 h: 50 in 6 h is 200 a day.
		this.clock.advance(Duration.ofHours(6));
		this.left.set("950");
		this.service.balances(Set.of(), false);

		// Viewed at T0 + 6 h 30 min 20 s (no fetch): estimates are as of the minute's start,
		// T0 + 6 h 30 min. The figures describe T0 + 6 h - 12 h = T0 - 6 h, so 12.5 h have passed:
		// 200 * 12.5 / 24 = 104.1666..., and 950 - 104.167 = 845.833.
		this.clock.advance(Duration.ofMinutes(30).plusSeconds(20));
		BalanceView view = this.service.view(Set.of());
		AccountBalance studio = studio(view);
		assertThat(studio.product("video").forecast().burnPerDay()).isEqualByComparingTo("200");
		assertThat(studio.remaining()).as("the reported figure stays as reported").isEqualByComparingTo("950");
		assertThat(studio.product("video").estimatedRemaining()).isEqualByComparingTo("845.833");
		assertThat(studio.estimatedRemaining()).as("one product: the account's estimate is its").isEqualByComparingTo("845.833");

		// The pool: studio's 845.833 plus spare's 300 (it has a rate of 0: nothing used in 6 h).
		ProviderTotal pool = view.response().totals().get(0);
		assertThat(pool.remaining()).isEqualByComparingTo("1250");
		assertThat(pool.estimatedRemaining()).isEqualByComparingTo("1145.833");

		// Later in the same minute: the same bytes (and entity tag).
		this.clock.advance(Duration.ofSeconds(39));
		assertThat(this.service.view(Set.of()).content().etag()).isEqualTo(view.content().etag());

		// The next minute: one more minute of 200 a day (0.139): 845.694.
		this.clock.advance(Duration.ofSeconds(1));
		BalanceView next = this.service.view(Set.of());
		assertThat(studio(next).estimatedRemaining()).isEqualByComparingTo("845.694");
		assertThat(next.content().etag()).isNotEqualTo(view.content().etag());
	}

	@Test
	void poolHasNoEstimateWhileAnAccountWithCapacityHasNoRate() {
		this.service.balances(Set.of(), false);
		// spare fails from now on: its last good figures (one reading, no rate) stay, studio gets a rate.
		this.kling.answer("spare", () -> Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "down", 503)));
		this.clock.advance(Duration.ofHours(6));
		this.left.set("950");
		BalanceView view = this.service.balances(Set.of(), false);

		// studio, as of T0 + 6 h (described T0 - 6 h, 12 h ago) at 200 a day: 950 - 100 = 850.
		assertThat(studio(view).estimatedRemaining()).isEqualByComparingTo("850");
		ProviderTotal pool = view.response().totals().get(0);
		assertThat(pool.remaining()).isEqualByComparingTo("1250");
		assertThat(pool.estimatedRemaining()).as("spare holds 300 at an unknown rate").isNull();
	}

	@Test
	void estimateIsFlooredAtZero() {
		this.service.balances(Set.of(), false);
		this.clock.advance(Duration.ofHours(6));
		this.left.set("950");
		this.service.balances(Set.of(), false);

		// Five days later at 200 a day, 950 is long gone: 0, never below.
		this.clock.advance(Duration.ofDays(5));
		AccountBalance studio = studio(this.service.view(Set.of()));
		assertThat(studio.estimatedRemaining()).isEqualByComparingTo("0");
		assertThat(studio.remaining()).isEqualByComparingTo("950");
	}

	private static AccountBalance studio(BalanceView view) {
		return view.response()
			.accounts()
			.stream()
			.filter((account) -> account.account().equals("studio"))
			.findFirst()
			.orElseThrow();
	}

	private static Grant pack(String id, String remaining) {
		return new Grant(id, "Video Generation - 10,000 entries", "video", "decreasing_total", GrantStatus.ACTIVE, "online",
				new BigDecimal("1000"), new BigDecimal(remaining), T0.minus(Duration.ofDays(1)), T0.plus(Duration.ofDays(60)));
	}

}
