package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.NextAccount;
import dev.klingbalances.store.MemoryHistoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /balances/next} through the service: from the cache only, judged at the view's moment. */
class NextAccountServiceTest {

	private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

	private final MutableClock clock = new MutableClock(T0);

	private final AtomicInteger listCalls = new AtomicInteger();

	private final FakeProvider kling = new FakeProvider("kling", "units", Duration.ofMinutes(15))
		.dataDelay(Duration.ofHours(12))
		.accounts(() -> {
			this.listCalls.incrementAndGet();
			return Mono.just(List.of("soon", "late"));
		})
		.answer("soon", () -> Mono.just(FakeProvider.snapshot(pack("soon-pack", "50", 3))))
		.answer("late", () -> Mono.just(FakeProvider.snapshot(pack("late-pack", "500", 30))));

	private final BalanceService service = new BalanceService(List.of(this.kling),
			TestSettings.balances("balances.cache.warm-up=false", "balances.cache.keep-warm=requested"), this.clock,
			new SimpleMeterRegistry(), TestSettings.jsonMapper(), new MemoryHistoryStore(), null);

	@Test
	void neverCallsAnUpstreamEvenWhenNothingIsCached() {
		AccountPicker.Pick pick = this.service.next(Set.of(), "video", BigDecimal.ONE, AccountScope.ALL);

		assertThat(pick.answer()).isNull();
		assertThat(pick.candidates()).isEmpty();
		assertThat(this.listCalls).hasValue(0);
		assertThat(this.kling.fetches("soon") + this.kling.fetches("late")).isZero();
	}

	@Test
	void answersFromTheCacheAndLeavesOutFiguresOlderThanTheDelayPlusOneTtl() {
		this.service.balances(Set.of(), false);
		assertThat(this.listCalls).hasValue(1);
		assertThat(this.kling.fetches("soon")).isEqualTo(1);

		// Stale for /balances (past the 15 min TTL), still usable for the picker (12 h delay + TTL).
		this.clock.advance(Duration.ofHours(1));
		AccountPicker.Pick pick = this.service.next(Set.of(), "video", new BigDecimal("20"), AccountScope.ALL);
		assertThat(pick.answer().value().account()).as("its pack expires first").isEqualTo("soon");
		assertThat(this.service.next(Set.of(), "video", new BigDecimal("60"), AccountScope.ALL).answer().value().account())
			.as("soon has less than 60").isEqualTo("late");

		// 12 h 15 min after the fetch the figures are too old: time alone rebuilds the view.
		this.clock.setTo(T0.plus(Duration.ofHours(12)).plus(Duration.ofMinutes(15)));
		AccountPicker.Pick outdated = this.service.next(Set.of(), "video", new BigDecimal("20"), AccountScope.ALL);
		assertThat(outdated.answer()).isNull();
		assertThat(outdated.candidates()).extracting(NextAccount.Candidate::excluded)
			.containsOnly(NextAccount.Exclusion.OUTDATED);

		assertThat(this.listCalls).as("no upstream call from the picker").hasValue(1);
		assertThat(this.kling.fetches("soon")).isEqualTo(1);
		assertThat(this.kling.fetches("late")).isEqualTo(1);
	}

	@Test
	void equalNeedsShareOneAnswer() {
		this.service.balances(Set.of(), false);

		PreparedJson<NextAccount> twenty = this.service.next(Set.of(), "video", new BigDecimal("20"), AccountScope.ALL).answer();
		PreparedJson<NextAccount> again = this.service.next(Set.of(), "video", new BigDecimal("20.000"), AccountScope.ALL).answer();

		assertThat(again).isSameAs(twenty);
		assertThat(new String(twenty.bytes(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"need\":20,");
	}

	@Test
	void keepsTheAnswersOfAtMostCachedPicksNeedsPerView() {
		this.service.balances(Set.of(), false);
		int kept = BalanceView.CACHED_PICKS;

		List<AccountPicker.Pick> first = IntStream.rangeClosed(1, kept + 1).mapToObj(this::nextVideo).toList();

		for (int need = 1; need <= kept; need++) {
			assertThat(nextVideo(need)).as("need %d, kept with the view", need).isSameAs(first.get(need - 1));
		}
		AccountPicker.Pick beyond = nextVideo(kept + 1);
		assertThat(beyond).as("past the bound: made again").isNotSameAs(first.get(kept));
		assertThat(beyond.answer().bytes()).as("and the same").isEqualTo(first.get(kept).answer().bytes());
	}

	private AccountPicker.Pick nextVideo(int need) {
		return this.service.next(Set.of(), "video", BigDecimal.valueOf(need), AccountScope.ALL);
	}

	private static Grant pack(String id, String remaining, int expiresInDays) {
		return new Grant(id, "Video Generation", "video", "decreasing_total", GrantStatus.ACTIVE, "online",
				new BigDecimal("1000"), new BigDecimal(remaining), T0.minus(Duration.ofDays(1)),
				T0.plus(Duration.ofDays(expiresInDays)));
	}

}
