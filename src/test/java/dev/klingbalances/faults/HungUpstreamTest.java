package dev.klingbalances.faults;

import java.time.Duration;
import java.time.Instant;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.klingbalances.cache.CachedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deadline: {@code /balances} answers by {@code balances.deadline} however long an upstream
 * takes; what is still loading then is served stale or reported {@code PENDING}, and the fetch
 * goes on in the background and fills the cache for the next caller.
 */
class HungUpstreamTest extends FaultTestSupport {

	/** An upstream that does not answer for a minute. */
	private static final int HANG_MILLIS = 60_000;

	/** Beyond both providers' default cache TTL (Kling 15 min, useapi.net 2 min). */
	private static final Duration PAST_TTL = Duration.ofMinutes(16);

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "kling", "useapi" })
	void upstreamHangingForAMinuteNeverHoldsTheAnswerBeyondTheDeadline(String provider) throws Exception {
		String cold = FaultStubs.victims(provider).get(0);
		String primed = FaultStubs.victims(provider).get(1);
		// Given a good snapshot of one victim, gone stale by its TTL
		JsonNode good = prime(provider, primed);
		this.clock.advance(PAST_TTL);
		// and both victims' upstream hanging for a minute
		for (String victim : FaultStubs.victims(provider)) {
			stubs.fault(provider, victim, FaultStubs.good(provider, victim).withFixedDelay(HANG_MILLIS));
		}

		// When a caller asks (no refresh: the stale snapshot alone starts the fetch)
		Instant since = this.clock.instant();
		Answer first = balances("");

		// Then the answer comes at the deadline (call() bounds it by deadline + margin)
		assertThat(first.elapsed()).as("it waited for the deadline, not for the upstream")
			.isGreaterThanOrEqualTo(DEADLINE.minusMillis(100));
		assertOthersIntact(first, provider);
		assertThat(first.body().get("complete").asBoolean()).isFalse();
		// the never-read victim is listed as pending, without figures
		JsonNode coldFirst = first.account(provider, cold);
		assertThat(coldFirst.get("error").get("code").asString()).isEqualTo("PENDING");
		assertThat(coldFirst.get("remaining").isNull()).isTrue();
		// the primed one with its last good figures, stale, pending
		JsonNode primedFirst = first.account(provider, primed);
		assertThat(primedFirst.get("error").get("code").asString()).isEqualTo("PENDING");
		assertThat(primedFirst.get("stale").asBoolean()).isTrue();
		assertThat(primedFirst.get("remaining")).isEqualTo(good.get("remaining"));
		assertThat(primedFirst.get("fetchedAt")).isEqualTo(good.get("fetchedAt"));

		// When the fetches end in the background (each attempt times out after 1 s; retried)
		CachedValue<?> coldEntry = awaitFetchEnded(provider, cold, since, Duration.ofSeconds(30));
		awaitFetchEnded(provider, primed, since, Duration.ofSeconds(30));
		assertThat(coldEntry.error()).isNotNull();

		// Then the next caller gets the outcome at once, from the cache
		Answer later = balances("");
		assertThat(later.elapsed()).as("nothing left to wait for").isLessThan(DEADLINE);
		assertOthersIntact(later, provider);
		JsonNode coldLater = later.account(provider, cold);
		assertThat(coldLater.get("error").get("code").asString()).isEqualTo("UPSTREAM_TIMEOUT");
		assertThat(coldLater.get("remaining").isNull()).isTrue();
		JsonNode primedLater = later.account(provider, primed);
		assertThat(primedLater.get("error").get("code").asString()).isEqualTo("UPSTREAM_TIMEOUT");
		assertThat(primedLater.get("stale").asBoolean()).isTrue();
		assertThat(primedLater.get("remaining")).isEqualTo(good.get("remaining"));
		assertThat(primedLater.get("fetchedAt")).isEqualTo(good.get("fetchedAt"));
		// and each timed-out attempt was one request, retries bounded
		assertThat(stubs.requests(provider, cold)).hasSize(MAX_ATTEMPTS);
		assertThat(stubs.requests(provider, primed)).hasSize(1 + MAX_ATTEMPTS);
		if (provider.equals("kling")) {
			FaultStubs.victims(provider).forEach(FaultTestSupport::assertKlingPacing);
		}
	}

	@Test
	void fetchStillRunningAtTheDeadlineFillsTheCacheForTheNextCaller() throws Exception {
		// Given Kling fails twice for the cold victim, then answers: with the pacing (1.1 s per
		// credential) the third attempt cannot start before 2.2 s, after the 2 s deadline
		stubs.server()
			.stubFor(FaultStubs.klingRequest(FaultStubs.COLD)
				.atPriority(1)
				.inScenario("late")
				.whenScenarioStateIs(Scenario.STARTED)
				.willReturn(aResponse().withStatus(503))
				.willSetStateTo("failed once"));
		stubs.server()
			.stubFor(FaultStubs.klingRequest(FaultStubs.COLD)
				.atPriority(1)
				.inScenario("late")
				.whenScenarioStateIs("failed once")
				.willReturn(aResponse().withStatus(503))
				.willSetStateTo("failed twice"));

		// When a caller asks
		Instant since = this.clock.instant();
		Answer first = balances("?provider=kling");

		// Then it gets the other accounts and PENDING for this one at the deadline
		assertThat(first.account("kling", FaultStubs.COLD).get("error").get("code").asString()).isEqualTo("PENDING");
		assertIntact(first, "kling", FaultStubs.STEADY_A);
		assertIntact(first, "kling", FaultStubs.PRIMED);

		// When the retries have gone on in the background and the third attempt succeeded
		CachedValue<?> entry = awaitFetchEnded("kling", FaultStubs.COLD, since, Duration.ofSeconds(30));
		assertThat(entry.error()).isNull();

		// Then the next caller gets the figures, fresh, at once
		Answer later = balances("?provider=kling");
		assertThat(later.elapsed()).isLessThan(DEADLINE);
		assertIntact(later, "kling", FaultStubs.COLD);
		assertThat(stubs.requests("kling", FaultStubs.COLD)).hasSize(MAX_ATTEMPTS);
		assertKlingPacing(FaultStubs.COLD);
	}

}
