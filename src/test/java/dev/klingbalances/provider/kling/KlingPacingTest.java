package dev.klingbalances.provider.kling;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.klingbalances.cache.FetchDeadline;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.klingbalances.provider.kling.KlingCredentialTest.ACCESS_KEY;
import static dev.klingbalances.provider.kling.KlingCredentialTest.SECRET_KEY;
import static dev.klingbalances.provider.kling.KlingStubs.COSTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Kling allows QPS ≤ 1 per account: no two requests with one credential less than a second
 * apart, retries and fresh-token retries included. Times come from WireMock's request journal.
 */
class KlingPacingTest {

	private static final Duration DEFAULT_PACE = Duration.ofMillis(1100);

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	private static final KlingProperties.Account PAIR = new KlingProperties.Account("main", ACCESS_KEY, SECRET_KEY,
			null);

	private final KlingStubs stubs = new KlingStubs();

	@BeforeEach
	void start() {
		this.stubs.start();
	}

	@AfterEach
	void stop() {
		this.stubs.stop();
	}

	@Test
	void concurrentFetchesOfOneAccountAreNeverLessThanASecondApart() {
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS)).willReturn(okJson(KlingStubs.ONE_PACK)));
		KlingBalanceProvider provider = this.stubs.provider(this.stubs.properties(DEFAULT_PACE, PAIR),
				Clock.systemUTC());
		this.stubs.warmUp();

		List<BalanceSnapshot> snapshots = Flux.range(0, 4)
			.flatMap((i) -> provider.fetch("main"))
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(snapshots).hasSize(4);
		List<LoggedRequest> requests = this.stubs.costsRequests();
		assertThat(requests).hasSize(4);
		assertAtLeastApart(requests, ONE_SECOND);
	}

	@Test
	void theIntervalCountsFromTheEndOfASlowRequest() {
		// a request still in flight must not let the next one start: Kling counts arrivals, and a
		// request that opens a connection arrives later than one that reuses it
		Duration slow = Duration.ofMillis(1500);
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS))
			.willReturn(okJson(KlingStubs.ONE_PACK).withFixedDelay((int) slow.toMillis())));
		KlingBalanceProvider provider = this.stubs.provider(this.stubs.properties(DEFAULT_PACE, PAIR),
				Clock.systemUTC());
		this.stubs.warmUp();

		Flux.merge(provider.fetch("main"), provider.fetch("main")).collectList().block(Duration.ofSeconds(30));

		List<LoggedRequest> requests = this.stubs.costsRequests();
		assertThat(requests).hasSize(2);
		assertAtLeastApart(requests, slow.plus(ONE_SECOND));
	}

	@Test
	void theFreshTokenRetryAfterA401WaitsForThePacer() throws Exception {
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS))
			.willReturn(aResponse().withStatus(401).withBody("{\"code\": 1004, \"message\": \"token expired\"}")));
		KlingBalanceProvider provider = this.stubs.provider(this.stubs.properties(DEFAULT_PACE, PAIR),
				Clock.systemUTC());
		this.stubs.warmUp();

		UpstreamException failure = assertThatExceptionOfType(UpstreamException.class)
			.isThrownBy(() -> provider.fetch("main").block(Duration.ofSeconds(30)))
			.actual();

		assertThat(failure.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
		assertThat(failure.upstreamStatus()).isEqualTo(401);
		List<LoggedRequest> requests = this.stubs.costsRequests();
		assertThat(requests).hasSize(2);
		assertAtLeastApart(requests, ONE_SECOND);
		SignedJWT first = bearerJwt(requests.get(0));
		SignedJWT retry = bearerJwt(requests.get(1));
		assertThat(retry.serialize()).isNotEqualTo(first.serialize());
		MACVerifier verifier = new MACVerifier(SECRET_KEY.getBytes(StandardCharsets.UTF_8));
		assertThat(first.verify(verifier)).isTrue();
		assertThat(retry.verify(verifier)).isTrue();
		assertThat(retry.getJWTClaimsSet().getNotBeforeTime()).isAfter(first.getJWTClaimsSet().getNotBeforeTime());
	}

	@Test
	void differentAccountsAreNotPacedTogether() {
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS)).willReturn(okJson(KlingStubs.ONE_PACK)));
		Duration pace = Duration.ofSeconds(2);
		KlingBalanceProvider provider = this.stubs.provider(
				this.stubs.properties(pace, PAIR, new KlingProperties.Account("other", null, null, "api-key-other")),
				Clock.systemUTC());
		this.stubs.warmUp();

		Flux.merge(provider.fetch("main"), provider.fetch("main"), provider.fetch("other"))
			.collectList()
			.block(Duration.ofSeconds(30));

		List<LoggedRequest> requests = this.stubs.costsRequests();
		List<LoggedRequest> main = requests.stream()
			.filter((r) -> !r.getHeader("Authorization").equals("Bearer api-key-other"))
			.toList();
		List<LoggedRequest> other = requests.stream()
			.filter((r) -> r.getHeader("Authorization").equals("Bearer api-key-other"))
			.toList();
		assertThat(main).hasSize(2);
		assertThat(other).hasSize(1);
		assertAtLeastApart(main, pace.minusMillis(100));
		// sharing main's queue would have put it at least one full interval after main's first request
		assertThat(millisBetween(main.get(0), other.get(0))).isLessThan(pace.toMillis());
	}

	@Test
	void retryAfterHoldsTheCredentialBackBeforeTheRetry() {
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS)).inScenario("throttled")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2").withBody("{\"code\": 1302}"))
			.willSetStateTo("calm"));
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS)).inScenario("throttled")
			.whenScenarioStateIs("calm")
			.willReturn(okJson(KlingStubs.ONE_PACK)));
		// pacing alone would allow the retry after 20 ms
		KlingBalanceProvider provider = this.stubs.provider(this.stubs.properties(Duration.ofMillis(20), PAIR),
				Clock.systemUTC());
		this.stubs.warmUp();

		BalanceSnapshot snapshot = provider.fetch("main").block(Duration.ofSeconds(30));

		assertThat(snapshot.grants()).hasSize(1);
		List<LoggedRequest> requests = this.stubs.costsRequests();
		assertThat(requests).hasSize(2);
		assertAtLeastApart(requests, Duration.ofSeconds(2));
	}

	@Test
	void aRetryAfterLongerThanTheFetchHasLeftFailsAtOnceInsteadOfTimingOut() {
		// Given Kling asks for a pause longer than the fetch may still wait
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS))
			.willReturn(aResponse().withStatus(429).withHeader("Retry-After", "300").withBody("{\"code\": 1302}")));
		KlingBalanceProvider provider = this.stubs.provider(this.stubs.properties(Duration.ofMillis(20), PAIR),
				Clock.systemUTC());
		this.stubs.warmUp();

		// When a fetch with 30 s left runs
		UpstreamException failure = catchThrowableOfType(UpstreamException.class, () -> provider.fetch("main")
			.contextWrite(FetchDeadline.of(System.nanoTime() + Duration.ofSeconds(30).toNanos()))
			.block(Duration.ofSeconds(10)));

		// Then the retry does not wait into a timeout: THROTTLED now, with the rest of the pause
		assertThat(failure.code()).isEqualTo(ErrorCode.THROTTLED);
		assertThat(failure.retryAfter()).isLessThanOrEqualTo(Duration.ofSeconds(300))
			.isGreaterThan(Duration.ofSeconds(290));
		assertThat(this.stubs.costsRequests()).hasSize(1);
	}

	private static void assertAtLeastApart(List<LoggedRequest> requests, Duration gap) {
		for (int i = 1; i < requests.size(); i++) {
			assertThat(millisBetween(requests.get(i - 1), requests.get(i)))
				.as("gap between request %d and %d", i - 1, i)
				.isGreaterThanOrEqualTo(gap.toMillis());
		}
	}

	private static long millisBetween(LoggedRequest earlier, LoggedRequest later) {
		return Math.abs(later.getLoggedDate().getTime() - earlier.getLoggedDate().getTime());
	}

	private static SignedJWT bearerJwt(LoggedRequest request) throws Exception {
		return SignedJWT.parse(request.getHeader("Authorization").substring("Bearer ".length()));
	}

}
