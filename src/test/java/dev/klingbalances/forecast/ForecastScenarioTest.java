package dev.klingbalances.forecast;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.FakeProvider;
import dev.klingbalances.balance.MutableClock;
import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.ExpiringSoon;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.ProductBalance;
import dev.klingbalances.model.ProviderTotal;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.store.MemoryHistoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forecast and the expiry warnings of one Kling-like account (figures lag 12 h) driven
 * through simulated days by a clock: steady use of 100 units a day, a pack that expires with
 * credits on it, a new pack, another that will expire before it can be used. Every expected
 * figure is worked out by hand in the comments.
 */
class ForecastScenarioTest {

	private static final Instant DAY_0 = Instant.parse("2026-11-01T00:00:00Z");

	private final MutableClock clock = new MutableClock(DAY_0);

	/** What the upstream reports, changed as the days go by. */
	private final Upstream upstream = new Upstream();

	private final FakeProvider kling = new FakeProvider("kling", "units", Duration.ofMinutes(15), "studio")
		.dataDelay(Duration.ofHours(12))
		.answer("studio", () -> Mono.just(this.upstream.snapshot()));

	private final BalanceService service = new BalanceService(List.of(this.kling),
			TestSettings.balances("balances.cache.warm-up=false", "balances.cache.keep-warm=requested"), this.clock,
			new SimpleMeterRegistry(), TestSettings.jsonMapper(), new MemoryHistoryStore(), null);

	@Test
	void forecastFollowsSteadyUseTopUpsAndExpiringPacks() {
		// Day 0: pack B (500, expires day 3) and pack A (1000, expires day 30); 100 a day is used, B first.
		this.upstream.grant("a", 1000, 1000, day(30));
		this.upstream.grant("b", 500, 500, day(3));
		AccountBalance start = read();
		assertThat(start.forecast().burnPerDay()).as("one reading: no rate").isNull();
		assertThat(start.forecast().runsOutAt()).isNull();
		assertThat(start.forecast().expiringUnused()).isNull();
		assertThat(start.forecast().basis()).isEqualTo(new Forecast.Basis(DAY_0, DAY_0, 1));

		// Six hours later (25 used): 6 h of history is less than the 12 h min-span: still nothing.
		useFor(Duration.ofHours(6), "b");
		AccountBalance early = read();
		assertThat(early.forecast().burnPerDay()).isNull();
		assertThat(early.forecast().runsOutAt()).isNull();
		assertThat(early.forecast().basis()).isEqualTo(new Forecast.Basis(DAY_0, hours(6), 2));

		// Day 1, read every 6 h: 100 used, all from B (400 left). Rate 100/day. The figures
		// describe day 0.5 (12 h lag): B's 400 last until day 4.5 but B expires on day 3 with
		// 400 - 2.5 * 100 = 150 on it; then A's 1000 last 10 days: runs out on day 13.
		useFor(Duration.ofHours(6), "b");
		useFor(Duration.ofHours(6), "b");
		useFor(Duration.ofHours(6), "b");
		AccountBalance day1 = read();
		assertThat(day1.remaining()).isEqualByComparingTo("1400");
		assertThat(day1.forecast().burnPerDay()).isEqualByComparingTo("100");
		assertThat(day1.forecast().runsOutAt()).isEqualTo(day(13));
		assertThat(day1.forecast().expiringUnused().amount()).isEqualByComparingTo("150");
		assertThat(day1.forecast().expiringUnused().by()).isEqualTo(day(3));
		assertThat(day1.forecast().basis()).isEqualTo(new Forecast.Basis(DAY_0, day(1), 5));
		assertThat(day1.expiringSoon()).as("B expires within 7 days, A does not")
			.containsExactly(new ExpiringSoon(ExpiringSoon.Kind.GRANT, "video", "b", "pack b", new BigDecimal("400"), day(3)));

		// Days 1 to 3: B used down to 225, the last 6 h from A (975 left); B expires on day 3
		// with its 225 (not consumption); a new pack C (300, expires day 60) is bought on day 2
		// (not consumption either).
		useFor(Duration.ofHours(6), "b");
		useFor(Duration.ofHours(6), "b");
		useFor(Duration.ofHours(6), "b");
		useFor(Duration.ofHours(6), "b");
		this.upstream.grant("c", 300, 300, day(60));
		useFor(Duration.ofHours(6), "b");
		useFor(Duration.ofHours(6), "b");
		useFor(Duration.ofHours(6), "b");
		useFor(Duration.ofHours(6), "a");
		this.upstream.expire("b");
		AccountBalance day3 = read();
		assertThat(day3.remaining()).as("A 975 + C 300; B's 225 expired").isEqualByComparingTo("1275");
		assertThat(day3.grants()).filteredOn((grant) -> "b".equals(grant.id()))
			.extracting(Grant::status)
			.containsExactly(GrantStatus.EXPIRED);

		// Day 4, now from A (875 left): 100 a day throughout (the expiry and the new pack changed
		// nothing). A pack D (1000, expires day 10) arrives. The figures describe day 3.5: D first
		// (it expires first): 6.5 days use 650, 350 lapse on day 10; then A's 875 last 8.75 days
		// (day 18.75), C's 300 three more: runs out on day 21.75.
		useFor(Duration.ofHours(6), "a");
		useFor(Duration.ofHours(6), "a");
		useFor(Duration.ofHours(6), "a");
		useFor(Duration.ofHours(6), "a");
		this.upstream.grant("d", 1000, 1000, day(10));
		AccountBalance day4 = read();
		assertThat(day4.remaining()).isEqualByComparingTo("2175");
		assertThat(day4.forecast().burnPerDay()).isEqualByComparingTo("100");
		assertThat(day4.forecast().runsOutAt()).isEqualTo(day(21.75));
		assertThat(day4.forecast().expiringUnused().amount()).isEqualByComparingTo("350");
		assertThat(day4.forecast().expiringUnused().by()).isEqualTo(day(10));
		assertThat(day4.expiringSoon()).as("D expires within 7 days of day 4")
			.containsExactly(new ExpiringSoon(ExpiringSoon.Kind.GRANT, "video", "d", "pack d", new BigDecimal("1000"), day(10)));

		// The pool (one account here) says the same.
		ProviderTotal pool = this.service.balances(Set.of(), false).response().totals().get(0);
		assertThat(pool.forecast().burnPerDay()).isEqualByComparingTo("100");
		assertThat(pool.forecast().runsOutAt()).isEqualTo(day(21.75));
		assertThat(pool.forecast().expiringUnused().amount()).isEqualByComparingTo("350");
	}

	@Test
	void aGrantThatExpiresAfterTheFetchIsExpiredWhenRead() {
		this.upstream.grant("a", 1000, 600, day(30));
		this.upstream.grant("b", 500, 200, hours(20));
		assertThat(read().remaining()).isEqualByComparingTo("800");
		// The upstream goes down; 21 h later the last good snapshot is served stale, and B has expired since.
		this.kling.answer("studio", () -> Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "down", 503)));
		this.clock.advance(Duration.ofHours(21));
		AccountBalance stale = read();
		assertThat(stale.stale()).isTrue();
		assertThat(stale.remaining()).as("only A still counts").isEqualByComparingTo("600");
		assertThat(stale.total()).isEqualByComparingTo("1000");
		assertThat(stale.grants()).extracting(Grant::id, Grant::status)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("a", GrantStatus.ACTIVE),
					org.assertj.core.groups.Tuple.tuple("b", GrantStatus.EXPIRED));
	}

	@Test
	void aGrantExpiringWhileTheAnswerIsCachedChangesTheAnswerWithoutAFetch() {
		this.upstream.grant("a", 1000, 600, day(30));
		this.upstream.grant("b", 500, 200, DAY_0.plus(Duration.ofMinutes(10)));
		assertThat(read().remaining()).isEqualByComparingTo("800");
		this.clock.advance(Duration.ofMinutes(10));
		AccountBalance later = this.service.balances(Set.of(), false).response().accounts().get(0);
		assertThat(later.remaining()).isEqualByComparingTo("600");
		assertThat(this.kling.fetches("studio")).as("still fresh: served from the cache").isEqualTo(1);
	}

	@Test
	void sessionExpiringWithinTheWarningWindowIsFlagged() {
		this.upstream.grant("a", 1000, 600, day(30));
		this.upstream.session(day(5));
		assertThat(read().expiringSoon())
			.containsExactly(new ExpiringSoon(ExpiringSoon.Kind.SESSION, null, null, null, null, day(5)));
		this.upstream.session(day(9));
		assertThat(read().expiringSoon()).isEmpty();
	}

	@Test
	void videoAndImageAreForecastApartAndAGapBeforeAPendingPackIsTheRunOut() {
		// The example, end to end: video burns 1 unit every 2 s (10,800 per 6 h) and has
		// 100 left after 12 h; a 500-unit video pack starts 5 days later. Images burn 10 per 6 h.
		Instant pendingStart = hours(12).plus(Duration.ofDays(5));
		AtomicReference<List<Grant>> grants = new AtomicReference<>();
		FakeProvider mixed = new FakeProvider("kling", "units", Duration.ofMinutes(15), "mixed")
			.products("video", "image", "other")
			.answer("mixed", () -> Mono.just(new BalanceSnapshot(grants.get(), Map.of())));
		BalanceService service = new BalanceService(List.of(mixed),
				TestSettings.balances("balances.cache.warm-up=false", "balances.cache.keep-warm=requested"), this.clock,
				new SimpleMeterRegistry(), TestSettings.jsonMapper(), new MemoryHistoryStore(), null);
		for (int step = 0; step <= 2; step++) {
			grants.set(List.of(packOf("v", "video", 30000, 21700 - 10800 * step, null),
					packOf("i", "image", 1000, 1000 - 10 * step, null),
					new Grant("p", "Video Generation - 500", "video", "decreasing_total", GrantStatus.PENDING, "toBeOnline",
							BigDecimal.valueOf(500), BigDecimal.valueOf(500), pendingStart, null)));
			service.balance("kling", "mixed", true);
			this.clock.advance((step < 2) ? Duration.ofHours(6) : Duration.ZERO);
		}
		AccountBalance account = service.balance("kling", "mixed", false).value();
		assertThat(account.remaining()).as("video and image are never added up").isNull();
		ProductBalance video = account.product("video");
		assertThat(video.remaining()).isEqualByComparingTo("100");
		assertThat(video.forecast().burnPerDay()).isEqualByComparingTo("43200");
		assertThat(video.forecast().runsOutAt()).as("100 units at 1 every 2 s").isEqualTo(hours(12).plusSeconds(200));
		assertThat(video.forecast().refillsAt()).isEqualTo(pendingStart);
		ProductBalance image = account.product("image");
		assertThat(image.forecast().burnPerDay()).isEqualByComparingTo("40");
		assertThat(image.forecast().runsOutAt()).as("980 at 40 a day").isEqualTo(hours(12).plus(Duration.ofHours(588)));
		assertThat(image.forecast().refillsAt()).isNull();
		ProviderTotal videoPool = service.balances(Set.of(), false).response().totals().get(0);
		assertThat(videoPool.product()).isEqualTo("video");
		assertThat(videoPool.forecast().runsOutAt()).isEqualTo(hours(12).plusSeconds(200));
		assertThat(videoPool.forecast().refillsAt()).isEqualTo(pendingStart);
	}

	private static Grant packOf(String id, String product, int total, int remaining, @Nullable Instant expiresAt) {
		return new Grant(id, "pack " + id, product, "decreasing_total", GrantStatus.ACTIVE, "online",
				BigDecimal.valueOf(total), BigDecimal.valueOf(remaining), DAY_0, expiresAt);
	}

	/** Advances the clock and has {@code grant} use 100 a day meanwhile, then reads the account. */
	private void useFor(Duration duration, String grant) {
		this.clock.advance(duration);
		this.upstream.use(grant, BigDecimal.valueOf(100).multiply(BigDecimal.valueOf(duration.toHours()))
			.divide(BigDecimal.valueOf(24)));
		read();
	}

	private AccountBalance read() {
		return this.service.balance("kling", "studio", true).value();
	}

	private static Instant day(double days) {
		return DAY_0.plus(Duration.ofMinutes((long) (days * 24 * 60)));
	}

	private static Instant hours(int hours) {
		return DAY_0.plus(Duration.ofHours(hours));
	}

	/** The upstream's grants, as a scenario changes them. */
	private static final class Upstream {

		private final List<Grant> grants = new ArrayList<>();

		private @Nullable Instant session;

		synchronized void grant(String id, int total, int remaining, Instant expiresAt) {
			this.grants.add(new Grant(id, "pack " + id, "video", "decreasing_total", GrantStatus.ACTIVE, "online",
					BigDecimal.valueOf(total), BigDecimal.valueOf(remaining), DAY_0, expiresAt));
		}

		synchronized void use(String id, BigDecimal amount) {
			replace(id, (grant) -> new Grant(grant.id(), grant.name(), grant.product(), grant.type(), grant.status(), grant.rawStatus(),
					grant.total(), grant.remaining().subtract(amount), grant.startsAt(), grant.expiresAt()));
		}

		synchronized void expire(String id) {
			replace(id, (grant) -> new Grant(grant.id(), grant.name(), grant.product(), grant.type(), GrantStatus.EXPIRED, "expired",
					grant.total(), grant.remaining(), grant.startsAt(), grant.expiresAt()));
		}

		synchronized void session(Instant expiresAt) {
			this.session = expiresAt;
		}

		synchronized BalanceSnapshot snapshot() {
			return new BalanceSnapshot(this.grants,
					(this.session != null) ? Map.of(BalanceSnapshot.SESSION_EXPIRES_AT, this.session) : Map.of());
		}

		private void replace(String id, java.util.function.UnaryOperator<Grant> change) {
			this.grants.replaceAll((grant) -> id.equals(grant.id()) ? change.apply(grant) : grant);
		}

	}

}
