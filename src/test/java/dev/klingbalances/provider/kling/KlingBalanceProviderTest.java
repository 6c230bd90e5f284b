package dev.klingbalances.provider.kling;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.klingbalances.balance.MutableClock;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.upstream.RetryableUpstreamFailure;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.klingbalances.provider.kling.KlingCredentialTest.ACCESS_KEY;
import static dev.klingbalances.provider.kling.KlingCredentialTest.SECRET_KEY;
import static dev.klingbalances.provider.kling.KlingStubs.COSTS;
import static dev.klingbalances.provider.kling.KlingStubs.MAX_ATTEMPTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class KlingBalanceProviderTest {

	private static final Duration QUICK_PACE = Duration.ofMillis(20);

	private static final String API_KEY = "API-KEY-verbatim-0123456789abcdef";

	private static final KlingProperties.Account PAIR = new KlingProperties.Account("main", ACCESS_KEY, SECRET_KEY,
			null);

	private final KlingStubs stubs = new KlingStubs();

	private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private KlingBalanceProvider provider;

	@BeforeEach
	void start() {
		this.stubs.start();
		this.provider = this.stubs.provider(this.stubs.properties(QUICK_PACE, PAIR,
				new KlingProperties.Account("new", null, null, API_KEY)), this.clock);
		this.log.start();
		((Logger) LoggerFactory.getLogger(KlingBalanceProvider.class)).addAppender(this.log);
	}

	@AfterEach
	void stop() {
		((Logger) LoggerFactory.getLogger(KlingBalanceProvider.class)).detachAppender(this.log);
		this.stubs.stop();
	}

	@Test
	void describesItselfAndListsTheConfiguredAccounts() {
		assertThat(this.provider.name()).isEqualTo("kling");
		assertThat(this.provider.unit()).isEqualTo("units");
		assertThat(this.provider.dataDelay()).isEqualTo(Duration.ofHours(12));
		assertThat(this.provider.cacheTtl()).isEqualTo(Duration.ofMinutes(15));
		assertThat(this.provider.accounts().block()).containsExactly("main", "new");
		assertThat(this.provider.toString()).doesNotContain(SECRET_KEY, API_KEY);
	}

	@Test
	void sendsAVerifiableJwtAndTheLookbackWindowInEpochMillis() throws Exception {
		stub(okJson(KlingStubs.ONE_PACK));

		BalanceSnapshot snapshot = this.provider.fetch("main").block();

		assertThat(snapshot.grants()).singleElement().satisfies((grant) -> {
			assertThat(grant.id()).isEqualTo("p1");
			assertThat(grant.status()).isEqualTo(GrantStatus.ACTIVE);
			assertThat(grant.remaining()).isEqualByComparingTo(new BigDecimal("118"));
		});
		LoggedRequest request = onlyRequest();
		Instant now = this.clock.instant();
		assertThat(request.queryParameter("start_time").firstValue())
			.isEqualTo(String.valueOf(now.minus(Duration.ofDays(400)).toEpochMilli()));
		assertThat(request.queryParameter("end_time").firstValue()).isEqualTo(String.valueOf(now.toEpochMilli()));
		assertThat(request.getHeader("Content-Type")).startsWith("application/json");
		String authorization = request.getHeader("Authorization");
		assertThat(authorization).startsWith("Bearer ");
		SignedJWT jwt = SignedJWT.parse(authorization.substring("Bearer ".length()));
		assertThat(jwt.getHeader().toJSONObject()).containsOnlyKeys("alg", "typ")
			.containsEntry("alg", "HS256")
			.containsEntry("typ", "JWT");
		assertThat(jwt.verify(new MACVerifier(SECRET_KEY.getBytes(StandardCharsets.UTF_8)))).isTrue();
		JWTClaimsSet claims = jwt.getJWTClaimsSet();
		assertThat(claims.getIssuer()).isEqualTo(ACCESS_KEY);
		assertThat(claims.getExpirationTime().toInstant()).isEqualTo(now.plus(Duration.ofMinutes(30)));
		assertThat(claims.getNotBeforeTime().toInstant()).isEqualTo(now.minusSeconds(5));
	}

	@Test
	void sendsTheApiKeyVerbatimAsTheBearerToken() {
		stub(okJson(KlingStubs.ONE_PACK));

		this.provider.fetch("new").block();

		assertThat(onlyRequest().getHeader("Authorization")).isEqualTo("Bearer " + API_KEY);
	}

	@Test
	void reusesOneTokenAcrossFetchesUntilTheRenewalWindow() {
		stub(okJson(KlingStubs.ONE_PACK));

		this.provider.fetch("main").block();
		this.clock.advance(Duration.ofMinutes(10));
		this.provider.fetch("main").block();
		this.clock.advance(Duration.ofMinutes(15));
		this.provider.fetch("main").block();

		List<String> tokens = this.stubs.costsRequests().stream().map((r) -> r.getHeader("Authorization")).toList();
		assertThat(tokens).hasSize(3);
		assertThat(tokens.get(1)).isEqualTo(tokens.get(0));
		assertThat(tokens.get(2)).isNotEqualTo(tokens.get(0));
	}

	@Test
	void aTransient401IsCuredByTheOneRetry() {
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS)).inScenario("flaky")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(401).withBody("{\"code\": 1004}"))
			.willSetStateTo("valid"));
		this.stubs.server.stubFor(
				get(urlPathEqualTo(COSTS)).inScenario("flaky").whenScenarioStateIs("valid").willReturn(okJson(KlingStubs.ONE_PACK)));

		BalanceSnapshot snapshot = this.provider.fetch("main").block();

		assertThat(snapshot.grants()).hasSize(1);
		assertThat(this.stubs.costsRequests()).hasSize(2);
	}

	@Test
	void theFreshTokenRetryIsSpentOncePerFetchEvenAcrossPolicyRetries() {
		String[] states = { Scenario.STARTED, "refused-once", "unavailable", "refused-again" };
		int[] statuses = { 401, 503, 401, 200 };
		for (int i = 0; i < states.length; i++) {
			this.stubs.server.stubFor(get(urlPathEqualTo(COSTS)).inScenario("mixed")
				.whenScenarioStateIs(states[i])
				.willReturn((statuses[i] == 200) ? okJson(KlingStubs.ONE_PACK)
						: aResponse().withStatus(statuses[i]).withBody("{\"code\": " + ((statuses[i] == 401) ? 1004 : 5001) + "}"))
				.willSetStateTo((i + 1 < states.length) ? states[i + 1] : states[i]));
		}

		UpstreamException failure = fetchFailure("main");

		// 401, fresh-token retry: 503 (retryable), policy retry: 401 -> reported, no second fresh-token retry
		assertThat(failure.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
		assertThat(this.stubs.costsRequests()).hasSize(3);
	}

	@Test
	void anApiKeyRefusedTwiceIsAnAuthenticationFailure() {
		stub(aResponse().withStatus(401).withBody("{\"code\": 1002}"));

		UpstreamException failure = fetchFailure("new");

		assertThat(failure.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
		assertThat(this.stubs.costsRequests()).hasSize(2)
			.allSatisfy((r) -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + API_KEY));
	}

	@ParameterizedTest(name = "HTTP {0} code {1} -> {2} after {3} request(s)")
	@CsvSource({ "401, 1000, AUTHENTICATION_FAILED, 2", "401, 1001, AUTHENTICATION_FAILED, 2",
			"401, 1002, AUTHENTICATION_FAILED, 2", "401, 1003, AUTHENTICATION_FAILED, 2",
			"401, 1004, AUTHENTICATION_FAILED, 2", "429, 1100, ACCOUNT_SUSPENDED, 1",
			"429, 1101, ACCOUNT_IN_ARREARS, 1", "429, 1102, PACKS_DEPLETED, 1", "403, 1103, PERMISSION_DENIED, 1",
			"400, 1200, REQUEST_REJECTED, 1", "400, 1201, REQUEST_REJECTED, 1", "404, 1202, REQUEST_REJECTED, 1",
			"404, 1203, REQUEST_REJECTED, 1", "429, 1302, THROTTLED, 3", "429, 1303, THROTTLED, 3",
			"429, 1304, IP_NOT_ALLOWED, 1", "500, 5000, UPSTREAM_UNAVAILABLE, 3", "503, 5001, UPSTREAM_UNAVAILABLE, 3",
			"504, 5002, UPSTREAM_TIMEOUT, 3" })
	void classifiesEveryDocumentedErrorAndRetriesOnlyWhatIsWorthIt(int status, int code, ErrorCode expected,
			int requests) {
		stub(aResponse().withStatus(status)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"code\": " + code + ", \"message\": \"echo " + SECRET_KEY + "\", \"request_id\": \"r\"}"));

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(expected);
		assertThat(failure.upstreamStatus()).isEqualTo(status);
		assertThat(failure.getMessage()).doesNotContain("echo");
		assertThat(this.stubs.costsRequests()).hasSize(requests);
		assertThat(requests).isLessThanOrEqualTo(MAX_ATTEMPTS);
	}

	@Test
	void anInnerErrorCodeFailsAnAnswerWhoseOuterCodeIsZero() {
		stub(okJson("{\"code\": 0, \"data\": {\"code\": 1101, \"msg\": \"arrears\"}}"));

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(ErrorCode.ACCOUNT_IN_ARREARS);
		assertThat(failure.upstreamStatus()).isEqualTo(200);
		assertThat(this.stubs.costsRequests()).hasSize(1);
	}

	@Test
	void anUnknownInnerErrorCodeIsABadResponse() {
		stub(okJson("{\"code\": 0, \"data\": {\"code\": 4242}}"));

		assertThat(fetchFailure("main").code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		assertThat(this.stubs.costsRequests()).hasSize(1);
	}

	@Test
	void throttlingWithoutAnAccountStateCodeIsRetried() {
		stub(aResponse().withStatus(429).withBody("Too Many Requests"));

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(ErrorCode.THROTTLED);
		assertThat(this.stubs.costsRequests()).hasSize(MAX_ATTEMPTS);
	}

	@Test
	void anAccountWithoutPacksIsAnEmptySuccess() {
		stub(okJson("{\"code\": 0, \"message\": \"SUCCEED\", \"data\": {\"code\": 0, \"msg\": \"SUCCEED\"}}"));

		BalanceSnapshot snapshot = this.provider.fetch("main").block();

		assertThat(snapshot.grants()).isEmpty();
		assertThat(snapshot.details()).containsKey("purchasedSince");
	}

	@Test
	void anUnknownPackStatusIsKeptRaw() {
		stub(okJson(KlingStubs.ok("[{\"resource_pack_id\": \"p\", \"status\": \"frozen\", \"remaining_quantity\": 3}]")));

		BalanceSnapshot snapshot = this.provider.fetch("main").block();

		assertThat(snapshot.grants()).singleElement().satisfies((grant) -> {
			assertThat(grant.status()).isEqualTo(GrantStatus.UNKNOWN);
			assertThat(grant.rawStatus()).isEqualTo("frozen");
			assertThat(grant.remaining()).isEqualByComparingTo("3");
		});
	}

	@Test
	void anHtmlErrorPageFromAGatewayIsUnavailableAndRetried() {
		stub(aResponse().withStatus(502)
			.withHeader("Content-Type", "text/html")
			.withBody("<html><body><h1>502 Bad Gateway</h1></body></html>"));

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(failure.upstreamStatus()).isEqualTo(502);
		assertThat(failure.getMessage()).doesNotContain("html", "Bad Gateway");
		assertThat(this.stubs.costsRequests()).hasSize(MAX_ATTEMPTS);
	}

	@Test
	void anHtmlPageWithStatus200IsABadResponseAndNotRetried() {
		stub(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>maintenance</html>"));

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		assertThat(this.stubs.costsRequests()).hasSize(1);
	}

	@Test
	void malformedJsonIsABadResponseAndNotRetried() {
		stub(okJson("{\"code\": 0, \"data\": {\"resource_pack_subscribe_infos\": [{\"status\": "));

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		assertThat(failure.upstreamStatus()).isEqualTo(200);
		assertThat(this.stubs.costsRequests()).hasSize(1);
	}

	@Test
	void aQuantityOfTheWrongTypeIsABadResponseNotAZero() {
		stub(okJson(KlingStubs.ok("[{\"status\": \"online\", \"remaining_quantity\": {\"value\": 5}}]")));

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		assertThat(this.stubs.costsRequests()).hasSize(1);
	}

	@Test
	void aBodyOverTheSizeLimitIsABadResponseAndNotRetried() {
		String padding = "x".repeat((int) KlingStubs.HTTP.maxResponseSize().toBytes());
		stub(okJson(KlingStubs.ok("[{\"resource_pack_name\": \"" + padding + "\", \"remaining_quantity\": 1}]")));

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		assertThat(failure.upstreamStatus()).isEqualTo(200);
		assertThat(this.stubs.costsRequests()).hasSize(1);
	}

	@Test
	void anEmptySuccessfulAnswerIsUnavailableAndRetried() {
		stub(aResponse().withStatus(200));

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(this.stubs.costsRequests()).hasSize(MAX_ATTEMPTS);
	}

	@Test
	void aResetConnectionIsUnavailableAndRetried() {
		stub(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(failure.upstreamStatus()).isNull();
		assertThat(this.stubs.costsRequests()).hasSize(MAX_ATTEMPTS);
	}

	@Test
	void anAnswerSlowerThanTheResponseTimeoutIsATimeoutAndRetried() {
		stub(okJson(KlingStubs.ONE_PACK).withFixedDelay(2_000));

		UpstreamException failure = fetchFailure(shortTimeoutProvider(), "main");

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT);
		assertThat(this.stubs.costsRequests()).hasSize(MAX_ATTEMPTS);
	}

	@Test
	void aSlowlyDrippingBodyCannotHangTheFetch() {
		// each chunk arrives well within the per-read timeout; only the per-attempt timeout stops it
		stub(okJson(KlingStubs.ONE_PACK).withChunkedDribbleDelay(20, 4_000));

		UpstreamException failure = fetchFailure(shortTimeoutProvider(), "main");

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT);
		assertThat(this.stubs.costsRequests()).hasSize(MAX_ATTEMPTS);
	}

	@Test
	void recoversWhenTheUpstreamComesBackWithinTheRetries() {
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS)).inScenario("maintenance")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(503).withBody("{\"code\": 5001}"))
			.willSetStateTo("back"));
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS)).inScenario("maintenance")
			.whenScenarioStateIs("back")
			.willReturn(okJson(KlingStubs.ONE_PACK)));

		assertThat(this.provider.fetch("main").block().grants()).hasSize(1);
		assertThat(this.stubs.costsRequests()).hasSize(2);
	}

	@Test
	void anOpenCircuitFailsFastAsUnavailable() {
		stub(okJson(KlingStubs.ONE_PACK));
		this.stubs.circuitBreakers.circuitBreaker("kling").transitionToOpenState();

		UpstreamException failure = fetchFailure("main");

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(this.stubs.costsRequests()).isEmpty();
	}

	@Test
	void aFullBulkheadEndsAsThrottledAfterTheRetries() {
		stub(okJson(KlingStubs.ONE_PACK));
		Bulkhead bulkhead = this.stubs.bulkheads.bulkhead("kling");
		int taken = 0;
		while (bulkhead.tryAcquirePermission()) {
			taken++;
		}
		try {
			UpstreamException failure = fetchFailure("main");

			assertThat(failure.code()).isEqualTo(ErrorCode.THROTTLED);
			assertThat(this.stubs.costsRequests()).isEmpty();
		}
		finally {
			for (int i = 0; i < taken; i++) {
				bulkhead.releasePermission();
			}
		}
	}

	@Test
	void anUnknownAccountIsNotFoundWithoutARequest() {
		UpstreamException failure = fetchFailure("nobody");

		assertThat(failure.code()).isEqualTo(ErrorCode.ACCOUNT_NOT_FOUND);
		assertThat(this.stubs.costsRequests()).isEmpty();
	}

	@Test
	void keepsAnHttpDateRetryAfterOnTheFailure() {
		String date = DateTimeFormatter.RFC_1123_DATE_TIME
			.format(this.clock.instant().plusSeconds(30).atOffset(ZoneOffset.UTC));

		UpstreamException failure = throttledOnceWithRetryAfter(date);

		assertThat(failure.code()).isEqualTo(ErrorCode.THROTTLED);
		assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void cutsAnAbsurdRetryAfterToTheConfiguredMaximum() {
		UpstreamException failure = throttledOnceWithRetryAfter("99999999999999999999");

		assertThat(failure.code()).isEqualTo(ErrorCode.THROTTLED);
		assertThat(failure.retryAfter()).isEqualTo(KlingStubs.MAX_RETRY_AFTER);
	}

	@Test
	void ignoresAnUnreadableRetryAfter() {
		assertThat(throttledOnceWithRetryAfter("soon").retryAfter()).isNull();
	}

	private UpstreamException throttledOnceWithRetryAfter(String retryAfter) {
		RetryRegistry once = RetryRegistry
			.of(RetryConfig.custom().maxAttempts(1).retryOnException(new RetryableUpstreamFailure()).build());
		KlingBalanceProvider provider = this.stubs.provider(this.stubs.properties(QUICK_PACE, PAIR), this.clock, once);
		stub(aResponse().withStatus(429).withHeader("Retry-After", retryAfter).withBody("{\"code\": 1302}"));
		return fetchFailure(provider, "main");
	}

	@Test
	void logsFailuresAtWarnWithAccountAndCodeOnly() {
		stub(aResponse().withStatus(429).withBody("{\"code\": 1101, \"message\": \"in arrears\"}"));

		fetchFailure("main");

		assertThat(this.log.list).singleElement().satisfies((event) -> {
			assertThat(event.getLevel()).isEqualTo(Level.WARN);
			assertThat(event.getFormattedMessage()).contains("main", "ACCOUNT_IN_ARREARS")
				.doesNotContain(SECRET_KEY, ACCESS_KEY, "arrears\"", "Bearer");
			assertThat(event.getThrowableProxy()).isNull();
		});
	}

	private void stub(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder response) {
		this.stubs.server.stubFor(get(urlPathEqualTo(COSTS)).willReturn(response));
	}

	private LoggedRequest onlyRequest() {
		List<LoggedRequest> requests = this.stubs.costsRequests();
		assertThat(requests).hasSize(1);
		return requests.get(0);
	}

	private KlingBalanceProvider shortTimeoutProvider() {
		return this.stubs.provider(this.stubs.properties(QUICK_PACE, KlingStubs.SHORT_TIMEOUT_HTTP, PAIR), this.clock);
	}

	private UpstreamException fetchFailure(String account) {
		return fetchFailure(this.provider, account);
	}

	/** Fetches, expecting a failure, and checks that nothing secret travels with it. */
	private static UpstreamException fetchFailure(KlingBalanceProvider provider, String account) {
		UpstreamException failure = assertThatExceptionOfType(UpstreamException.class)
			.isThrownBy(() -> provider.fetch(account).block())
			.actual();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			assertThat(String.valueOf(cause.getMessage())).doesNotContain(SECRET_KEY, API_KEY, "Bearer", "eyJ");
		}
		return failure;
	}

}
