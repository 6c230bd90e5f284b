package dev.klingbalances.provider.useapi;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.cache.FetchDeadline;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.unit.DataSize;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.klingbalances.provider.useapi.UseapiTestSupport.MAX_ATTEMPTS;
import static dev.klingbalances.provider.useapi.UseapiTestSupport.NOW;
import static dev.klingbalances.provider.useapi.UseapiTestSupport.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The useapi.net client against WireMock: auth, URLs, discovery, mapping, every error class. */
@ExtendWith(OutputCaptureExtension.class)
class UseapiClientTest {

	private static final String EMAIL = "jane@example.com";

	private static final String ACCOUNT_URL = "/v1/kling/accounts/jane@example.com";

	private static final long NOW_SECONDS = NOW.getEpochSecond();

	private static final String ACCOUNT_BODY = """
			{"email":"jane@example.com",
			 "session":{"userId":"user-id-4711","ExpireTime":%d,"ExpireTimeUTC":"2025-06-20T08:00:00.000Z"},
			 "maxJobs":5, "password":"…secured…",
			 "balance":{"points":[{"orderId":"o-1","type":"plan","amount":66000,"balance":56000,
			                       "startTime":%d,"endTime":%d},
			                      {"orderId":"o-2","type":"bonus","amount":500,"balance":500,
			                       "startTime":%d,"endTime":%d}],
			            "tickets":[], "nextApplyTime":%d, "total":56000}}
			""".formatted(NOW_SECONDS + 86_400, NOW_SECONDS - 86_400, NOW_SECONDS + 30 * 86_400,
			(NOW_SECONDS - 60 * 86_400) * 1000, (NOW_SECONDS - 30 * 86_400) * 1000, NOW_SECONDS + 7 * 86_400);

	private final WireMockServer wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

	private CircuitBreakerRegistry circuitBreakers;

	@BeforeEach
	void startWireMock() {
		this.wireMock.start();
		this.circuitBreakers = UseapiTestSupport.circuitBreakers(100);
	}

	@AfterEach
	void stopWireMock(CapturedOutput output) {
		this.wireMock.stop();
		assertThat(output.getAll()).as("no log line carries the token").doesNotContain(TOKEN);
	}

	@Test
	void sendsTokenAsBearerAndAsksForJson() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(okJson(ACCOUNT_BODY)));

		provider(List.of()).fetch(EMAIL).block();

		this.wireMock.verify(1, getRequestedFor(urlEqualTo(ACCOUNT_URL))
			.withHeader("Authorization", equalTo("Bearer " + TOKEN))
			.withHeader("Accept", equalTo("application/json")));
	}

	@Test
	void mapsAccountAnswerAndNeverEchoesPasswordOrUserId() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(okJson(ACCOUNT_BODY)));

		BalanceSnapshot snapshot = provider(List.of()).fetch(EMAIL).block();

		assertThat(snapshot.grants()).hasSize(2);
		assertThat(snapshot.grants().get(0)).satisfies((grant) -> {
			assertThat(grant.id()).isEqualTo("o-1");
			assertThat(grant.type()).isEqualTo("plan");
			assertThat(grant.status()).isEqualTo(GrantStatus.ACTIVE);
			assertThat(grant.total()).isEqualByComparingTo("66000");
			assertThat(grant.remaining()).isEqualByComparingTo("56000");
			assertThat(grant.expiresAt()).isEqualTo(NOW.plus(Duration.ofDays(30)));
		});
		assertThat(snapshot.grants().get(1).status()).isEqualTo(GrantStatus.EXPIRED);
		assertThat(snapshot.details()).containsEntry("maxJobs", 5)
			.containsEntry("reportedTotal", new BigDecimal("56000"))
			.containsEntry("tickets", 0)
			.containsEntry("nextRefillAt", NOW.plus(Duration.ofDays(7)))
			.containsEntry("sessionExpiresAt", java.time.Instant.parse("2025-06-20T08:00:00Z"));
		assertThat(snapshot.toString()).doesNotContain("secured").doesNotContain("user-id-4711");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			a+b@example.com       | /v1/kling/accounts/a+b@example.com
			100%off@example.com   | /v1/kling/accounts/100%25off@example.com
			jörg@exämple.de       | /v1/kling/accounts/j%C3%B6rg@ex%C3%A4mple.de
			a/b@example.com       | /v1/kling/accounts/a%2Fb@example.com
			x?y#z@example.com     | /v1/kling/accounts/x%3Fy%23z@example.com
			""")
	void encodesEmailAsExactlyOnePathSegment(String email, String expectedPath) {
		this.wireMock.stubFor(get(urlEqualTo(expectedPath)).willReturn(okJson(ACCOUNT_BODY)));

		BalanceSnapshot snapshot = provider(List.of()).fetch(email).block();

		assertThat(snapshot.grants()).hasSize(2);
		List<LoggedRequest> requests = this.wireMock.findAll(anyRequestedFor(anyUrl()));
		assertThat(requests).extracting(LoggedRequest::getUrl).containsExactly(expectedPath);
	}

	@Test
	void discoversAccountsFromObjectKeyedByEmailSorted() {
		this.wireMock.stubFor(get("/v1/kling/accounts").willReturn(okJson("""
				{"zoe@example.com":{"email":"zoe@example.com","maxJobs":3},
				 "adam@example.com":{"email":"adam@example.com","password":"…secured…"},
				 "mia+kling@example.com":{}}
				""")));

		List<String> accounts = provider(List.of()).accounts().block();

		assertThat(accounts).containsExactly("adam@example.com", "mia+kling@example.com", "zoe@example.com");
		this.wireMock.verify(1, getRequestedFor(urlEqualTo("/v1/kling/accounts")).withHeader("Authorization",
				equalTo("Bearer " + TOKEN)));
	}

	@Test
	void skipsDiscoveredKeysThatAreNotEmailAddresses() {
		this.wireMock.stubFor(get("/v1/kling/accounts").willReturn(okJson("""
				{"ok@example.com":{}, "not an email":{}, "evil@example.com\\nFAKE LOG LINE":{}, "":{}}
				""")));

		assertThat(provider(List.of()).accounts().block()).containsExactly("ok@example.com");
	}

	@Test
	void discoveryAnswering404IsAnErrorNotAnEmptyList() {
		// An empty list would erase every account at once; a 404 also comes from a wrong base URL.
		this.wireMock.stubFor(get("/v1/kling/accounts")
			.willReturn(aResponse().withStatus(404).withBody("Account configuration not found.")));

		assertThatExceptionOfType(UpstreamException.class).isThrownBy(() -> provider(List.of()).accounts().block())
			.satisfies((ex) -> {
				assertThat(ex.code()).isEqualTo(ErrorCode.ACCOUNT_NOT_FOUND);
				assertThat(ex.upstreamStatus()).isEqualTo(404);
				assertThat(ex.getMessage()).contains("account list").doesNotContain("Account configuration not found");
			});
		this.wireMock.verify(1, getRequestedFor(urlEqualTo("/v1/kling/accounts")));
	}

	@Test
	void reportsUnreadableDiscoveryAnswerAsBadResponse() {
		this.wireMock.stubFor(get("/v1/kling/accounts").willReturn(okJson("[\"jane@example.com\"]")));

		assertThatExceptionOfType(UpstreamException.class).isThrownBy(() -> provider(List.of()).accounts().block())
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(ErrorCode.BAD_RESPONSE));
	}

	@Test
	void reportsDiscoveryFailureWithItsCode() {
		this.wireMock.stubFor(get("/v1/kling/accounts")
			.willReturn(aResponse().withStatus(401).withBody("{\"error\":\"Unauthorized\",\"code\":401}")));

		assertThatExceptionOfType(UpstreamException.class).isThrownBy(() -> provider(List.of()).accounts().block())
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED));
	}

	@Test
	void usesConfiguredEmailsWithoutDiscovery() {
		List<String> accounts = provider(List.of("b@example.com", "a@example.com")).accounts().block();

		assertThat(accounts).containsExactly("b@example.com", "a@example.com");
		assertThat(this.wireMock.getAllServeEvents()).isEmpty();
	}

	@Test
	void withoutTokenReportsNoAccountsAndNeverCallsUseapi() {
		UseapiBalanceProvider provider = UseapiTestSupport.provider(properties(null, List.of()), this.circuitBreakers);

		assertThat(provider.accounts().block()).isEmpty();
		assertThatExceptionOfType(UpstreamException.class).isThrownBy(() -> provider.fetch(EMAIL).block())
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(ErrorCode.ACCOUNT_NOT_FOUND));
		assertThat(UseapiTestSupport.provider(properties("  ", List.of(EMAIL)), this.circuitBreakers).accounts().block())
			.isEmpty();
		assertThat(this.wireMock.getAllServeEvents()).isEmpty();
	}

	@Test
	void refusesAccountNamesThatAreNotEmailAddressesWithoutCallingUseapi() {
		assertThatExceptionOfType(UpstreamException.class)
			.isThrownBy(() -> provider(List.of()).fetch("jane@example.com\r\nX-Injected: 1").block())
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(ErrorCode.ACCOUNT_NOT_FOUND));
		assertThat(this.wireMock.getAllServeEvents()).isEmpty();
	}

	@ParameterizedTest(name = "HTTP {0} -> {1} after {2} request(s)")
	@CsvSource(textBlock = """
			401, AUTHENTICATION_FAILED, 1
			402, SUBSCRIPTION_REQUIRED, 1
			404, ACCOUNT_NOT_FOUND, 1
			429, THROTTLED, 3
			500, UPSTREAM_UNAVAILABLE, 3
			502, UPSTREAM_UNAVAILABLE, 3
			503, UPSTREAM_UNAVAILABLE, 3
			504, UPSTREAM_TIMEOUT, 3
			596, UPSTREAM_UNAVAILABLE, 3
			599, UPSTREAM_UNAVAILABLE, 3
			400, REQUEST_REJECTED, 1
			403, REQUEST_REJECTED, 1
			418, REQUEST_REJECTED, 1
			422, REQUEST_REJECTED, 1
			302, BAD_RESPONSE, 1
			""")
	void classifiesEveryStatusKeepingItAndRetriesOnlyTransientOnes(int status, ErrorCode code, int requests) {
		String body = (status == 401) ? "{\"error\":\"Unauthorized\",\"code\":401}"
				: "{\"error\":\"upstream says " + TOKEN.substring(0, 4) + "-secret-detail\",\"code\":" + status + "}";
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(aResponse().withStatus(status)
			.withHeader("Content-Type", "application/json")
			.withHeader("Location", "https://elsewhere.example/")
			.withBody(body)));

		UpstreamException failure = fetchFailure();

		assertThat(failure.code()).isEqualTo(code);
		assertThat(failure.upstreamStatus()).isEqualTo(status);
		assertThat(failure.getMessage()).doesNotContain(TOKEN).doesNotContain("secret-detail");
		this.wireMock.verify(requests, getRequestedFor(urlEqualTo(ACCOUNT_URL)));
	}

	@Test
	void classifiesHtmlErrorPageOn502AsUnavailableWithoutEchoingIt() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(aResponse().withStatus(502)
			.withHeader("Content-Type", "text/html")
			.withBody("<html><body><h1>502 Bad Gateway</h1>cloudflare</body></html>")));

		UpstreamException failure = fetchFailure();

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(failure.upstreamStatus()).isEqualTo(502);
		assertThat(failure.retryable()).isTrue();
		assertThat(failure.getMessage()).doesNotContain("html").doesNotContain("cloudflare");
		this.wireMock.verify(MAX_ATTEMPTS, getRequestedFor(urlEqualTo(ACCOUNT_URL)));
	}

	@Test
	void classifiesHtmlOnSuccessStatusAsBadResponseWithoutRetry() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(aResponse().withStatus(200)
			.withHeader("Content-Type", "text/html")
			.withBody("<!doctype html><html><body>Please log in</body></html>")));

		UpstreamException failure = fetchFailure();

		assertThat(failure.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		assertThat(failure.upstreamStatus()).isEqualTo(200);
		assertThat(failure.getMessage()).doesNotContain("log in");
		this.wireMock.verify(1, getRequestedFor(urlEqualTo(ACCOUNT_URL)));
	}

	@Test
	void classifiesMalformedJsonAsBadResponseWithoutRetry() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(okJson("{\"balance\":{\"points\":[{\"balance\":12")));

		UpstreamException failure = fetchFailure();

		assertThat(failure.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		this.wireMock.verify(1, getRequestedFor(urlEqualTo(ACCOUNT_URL)));
	}

	@Test
	void classifiesMissingBalanceAsBadResponseNeverZero() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(okJson("""
				{"email":"jane@example.com","session":{"userId":"u"},"maxJobs":5,"password":"…secured…"}
				""")));

		UpstreamException failure = fetchFailure();

		assertThat(failure.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		assertThat(failure.getMessage()).isEqualTo("useapi.net returned no balance for this account");
		assertThat(failure.upstreamStatus()).isEqualTo(200);
	}

	@Test
	void refusesBodyOverMaxResponseSizeAsBadResponse() {
		String padding = "x".repeat(8 * 1024);
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(okJson(
				ACCOUNT_BODY.replace("\"maxJobs\":5", "\"maxJobs\":5, \"padding\":\"" + padding + "\""))));
		UseapiBalanceProvider provider = UseapiTestSupport.provider(UseapiTestSupport.properties(baseUrl(), TOKEN,
				List.of(), 1000, UseapiTestSupport.http(Duration.ofSeconds(2), DataSize.ofKilobytes(4))),
				this.circuitBreakers);

		UpstreamException failure = failure(() -> provider.fetch(EMAIL).block());

		assertThat(failure.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		assertThat(failure.getMessage()).contains("max-response-size");
		this.wireMock.verify(1, getRequestedFor(urlEqualTo(ACCOUNT_URL)));
	}

	@Test
	void classifiesConnectionResetAsUnavailableAndRetries() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

		UpstreamException failure = fetchFailure();

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(failure.upstreamStatus()).isNull();
		this.wireMock.verify(MAX_ATTEMPTS, getRequestedFor(urlEqualTo(ACCOUNT_URL)));
	}

	@Test
	void classifiesClosedConnectionWithoutAnswerAsUnavailable() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));

		UpstreamException failure = fetchFailure();

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		this.wireMock.verify(MAX_ATTEMPTS, getRequestedFor(urlEqualTo(ACCOUNT_URL)));
	}

	@Test
	void classifiesEmptySuccessBodyAsUnavailableNeverZero() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(aResponse().withStatus(200)));

		UpstreamException failure = fetchFailure();

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(failure.upstreamStatus()).isEqualTo(200);
		this.wireMock.verify(MAX_ATTEMPTS, getRequestedFor(urlEqualTo(ACCOUNT_URL)));
	}

	@Test
	void abandonsAttemptsSlowerThanResponseTimeout() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(okJson(ACCOUNT_BODY).withFixedDelay(3_000)));
		UseapiBalanceProvider provider = UseapiTestSupport.provider(UseapiTestSupport.properties(baseUrl(), TOKEN,
				List.of(), 1000, UseapiTestSupport.http(Duration.ofMillis(300), DataSize.ofKilobytes(64))),
				this.circuitBreakers);

		UpstreamException failure = failure(() -> provider.fetch(EMAIL).block(Duration.ofSeconds(10)));

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT);
		assertThat(failure.upstreamStatus()).isNull();
		this.wireMock.verify(MAX_ATTEMPTS, getRequestedFor(urlEqualTo(ACCOUNT_URL)));
	}

	@Test
	void recoversWhenARetryReachesAHealthyAnswer() {
		this.wireMock.stubFor(get(ACCOUNT_URL).inScenario("flaky")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(503))
			.willSetStateTo("healthy"));
		this.wireMock.stubFor(get(ACCOUNT_URL).inScenario("flaky")
			.whenScenarioStateIs("healthy")
			.willReturn(okJson(ACCOUNT_BODY)));

		BalanceSnapshot snapshot = provider(List.of()).fetch(EMAIL).block();

		assertThat(snapshot.grants()).hasSize(2);
		this.wireMock.verify(2, getRequestedFor(urlEqualTo(ACCOUNT_URL)));
	}

	@Test
	void waitsForRetryAfterBeforeTheNextAttempt() {
		throttledOnceThenAnswered("1");

		provider(List.of()).fetch(EMAIL).block(Duration.ofSeconds(10));

		List<LoggedRequest> requests = this.wireMock.findAll(getRequestedFor(urlEqualTo(ACCOUNT_URL)));
		assertThat(requests).hasSize(2);
		long gapMillis = requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime();
		// The retry itself waits 20 ms; only the pacer's hold-off explains a gap near one second.
		assertThat(gapMillis).isGreaterThanOrEqualTo(900);
	}

	@Test
	void reportsRetryAfterWhenThrottlingOutlastsRetries() {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0")));
		this.wireMock.stubFor(get("/v1/kling/accounts/slow@example.com")
			.willReturn(aResponse().withStatus(503).withHeader("Retry-After", "1")));
		UseapiBalanceProvider provider = provider(List.of());

		UpstreamException throttled = failure(() -> provider.fetch(EMAIL).block());
		UpstreamException unavailable = failure(() -> provider.fetch("slow@example.com").block(Duration.ofSeconds(10)));

		assertThat(throttled.code()).isEqualTo(ErrorCode.THROTTLED);
		assertThat(throttled.retryAfter()).isNull();
		assertThat(unavailable.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(unavailable.retryAfter()).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void cutsAHugeRetryAfterToTheMaximumAndFailsAtOnceWhenTheHoldOutlastsTheFetch() {
		// Given useapi.net asks for a pause of 100 days
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "8640000")));
		UseapiBalanceProvider provider = provider(List.of());

		// When a fetch with 30 s left reads the account
		UpstreamException failure = failure(() -> provider.fetch(EMAIL)
			.contextWrite(FetchDeadline.of(System.nanoTime() + Duration.ofSeconds(30).toNanos()))
			.block(Duration.ofSeconds(10)));

		// Then the pause is cut to max-retry-after, and the retry does not wait for it: THROTTLED
		// at once, saying how long the hold still lasts, after one request
		assertThat(failure.code()).isEqualTo(ErrorCode.THROTTLED);
		assertThat(failure.retryAfter()).isLessThanOrEqualTo(UseapiTestSupport.MAX_RETRY_AFTER)
			.isGreaterThan(UseapiTestSupport.MAX_RETRY_AFTER.minusSeconds(10));
		assertThat(this.wireMock.findAll(getRequestedFor(urlEqualTo(ACCOUNT_URL)))).hasSize(1);
	}

	@Test
	void aRetryAfterThatArrivesWhileOtherCallsWaitHoldsThemBackToo() {
		// Given the first account's first answer asks for a 2 s pause
		throttledOnceThenAnswered("2");
		this.wireMock.stubFor(get("/v1/kling/accounts/next@example.com").willReturn(okJson(ACCOUNT_BODY)));
		// one request per second: the 429 is back long before the queued call's turn
		UseapiBalanceProvider provider = UseapiTestSupport.provider(UseapiTestSupport.properties(baseUrl(), TOKEN,
				List.of(), 1, UseapiTestSupport.http(Duration.ofSeconds(2), DataSize.ofKilobytes(64))),
				this.circuitBreakers);

		// When a second account is queued behind it before that answer arrives
		Mono.zip(provider.fetch(EMAIL), provider.fetch("next@example.com")).block(Duration.ofSeconds(10));

		// Then the queued call waits out the pause too, not just for its slot a second later
		List<LoggedRequest> requests = this.wireMock.findAll(anyRequestedFor(anyUrl()));
		assertThat(requests).hasSize(3);
		long first = requests.get(0).getLoggedDate().getTime();
		assertThat(requests.subList(1, 3)).allSatisfy((request) -> assertThat(request.getLoggedDate().getTime() - first)
			.as("%s after the 429", request.getUrl())
			.isGreaterThanOrEqualTo(1900));
	}

	@Test
	void failsFastWithoutCallingUseapiWhileCircuitIsOpen() {
		UseapiBalanceProvider provider = provider(List.of());
		CircuitBreaker circuitBreaker = this.circuitBreakers.circuitBreaker("useapi");
		circuitBreaker.transitionToOpenState();

		UpstreamException failure = failure(() -> provider.fetch(EMAIL).block());

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(failure.upstreamStatus()).isNull();
		assertThat(this.wireMock.getAllServeEvents()).isEmpty();
	}

	@Test
	void opensCircuitOnUnavailabilityButNotOnRefusedToken() {
		this.circuitBreakers = UseapiTestSupport.circuitBreakers(4);
		this.wireMock.stubFor(get("/v1/kling/accounts/refused@example.com").willReturn(aResponse().withStatus(401)));
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(aResponse().withStatus(503)));
		UseapiBalanceProvider provider = provider(List.of());
		CircuitBreaker circuitBreaker = this.circuitBreakers.circuitBreaker("useapi");

		for (int i = 0; i < 4; i++) {
			failure(() -> provider.fetch("refused@example.com").block());
		}
		assertThat(circuitBreaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);

		failure(() -> provider.fetch(EMAIL).block());
		failure(() -> provider.fetch(EMAIL).block());

		assertThat(circuitBreaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
	}

	@Test
	void logsFailuresAtWarnWithEmailAndCodeOnly(CapturedOutput output) {
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(aResponse().withStatus(402)
			.withBody("{\"error\":\"Subscription required\",\"code\":402}")));

		fetchFailure();

		assertThat(output.getAll()).containsPattern("WARN.*useapi.net account jane@example.com failed: SUBSCRIPTION_REQUIRED")
			.doesNotContain("Subscription required")
			.doesNotContain(TOKEN);
	}

	@Test
	void fullBulkheadIsReportedAsThrottledAfterBoundedRetries() {
		// Given a bulkhead that lets no call through (calls are one at a time in the token's lane,
		// so only a bulkhead configured below that refuses one)
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(okJson(ACCOUNT_BODY)));
		io.github.resilience4j.bulkhead.BulkheadRegistry none = io.github.resilience4j.bulkhead.BulkheadRegistry
			.of(io.github.resilience4j.bulkhead.BulkheadConfig.custom()
				.maxConcurrentCalls(0)
				.maxWaitDuration(Duration.ZERO)
				.build());
		UseapiProperties properties = properties(TOKEN, List.of());
		UseapiBalanceProvider provider = UseapiBalanceProvider.create(properties,
				org.springframework.web.reactive.function.client.WebClient.builder(), UseapiTestSupport.retries(),
				this.circuitBreakers, none, new dev.klingbalances.store.MemoryRequestLanes(), UseapiTestSupport.CLOCK, new UseapiCapacity(properties));

		// When an account is read
		UpstreamException failure = failure(() -> provider.fetch(EMAIL).block(Duration.ofSeconds(10)));

		// Then it is THROTTLED (our own limit, retried a bounded number of times), never sent
		assertThat(failure.code()).isEqualTo(ErrorCode.THROTTLED);
		assertThat(failure.upstreamStatus()).isNull();
		assertThat(this.wireMock.findAll(getRequestedFor(urlEqualTo(ACCOUNT_URL)))).isEmpty();
	}

	@Test
	void aSlowAnswerDoesNotHoldUpTheNextAccount() {
		// Given useapi.net answers one account slowly
		this.wireMock.stubFor(get(urlEqualTo("/v1/kling/accounts/slow@example.com"))
			.willReturn(okJson(ACCOUNT_BODY).withFixedDelay(1500)));
		this.wireMock.stubFor(get(ACCOUNT_URL).willReturn(okJson(ACCOUNT_BODY)));
		UseapiProperties properties = properties(TOKEN, List.of());
		UseapiBalanceProvider provider = UseapiTestSupport.provider(properties, this.circuitBreakers);

		// When a second account is read while the slow one's answer is on its way
		java.util.concurrent.CompletableFuture<BalanceSnapshot> slow = provider.fetch("slow@example.com").toFuture();
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> !this.wireMock.findAll(getRequestedFor(urlEqualTo("/v1/kling/accounts/slow@example.com")))
				.isEmpty());
		BalanceSnapshot second = provider.fetch(EMAIL).block(Duration.ofSeconds(10));

		// Then it is read before the slow one is answered, an interval after the slow one left
		assertThat(second).isNotNull();
		assertThat(slow).as("the slow answer is still on its way").isNotDone();
		List<com.github.tomakehurst.wiremock.verification.LoggedRequest> requests = this.wireMock
			.findAll(getRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlMatching("/v1/kling/accounts/.+")));
		assertThat(requests).hasSize(2);
		assertThat(requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime())
			.as("on arrival, the interval apart")
			.isGreaterThanOrEqualTo(properties.minInterval().minus(properties.pacingMargin()).toMillis());
		slow.join();
	}

	/** The account's first answer is a 429 with this {@code Retry-After}, every later one its balance. */
	private void throttledOnceThenAnswered(String retryAfter) {
		this.wireMock.stubFor(get(ACCOUNT_URL).inScenario("throttled")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(429).withHeader("Retry-After", retryAfter))
			.willSetStateTo("open"));
		this.wireMock.stubFor(get(ACCOUNT_URL).inScenario("throttled").whenScenarioStateIs("open")
			.willReturn(okJson(ACCOUNT_BODY)));
	}

	private UpstreamException fetchFailure() {
		UseapiBalanceProvider provider = provider(List.of());
		return failure(() -> provider.fetch(EMAIL).block(Duration.ofSeconds(10)));
	}

	private static UpstreamException failure(Runnable call) {
		try {
			call.run();
		}
		catch (UpstreamException ex) {
			return ex;
		}
		throw new AssertionError("expected an UpstreamException");
	}

	private UseapiBalanceProvider provider(List<String> emails) {
		return UseapiTestSupport.provider(properties(TOKEN, emails), this.circuitBreakers);
	}

	private UseapiProperties properties(@Nullable String token, List<String> emails) {
		// A high rate keeps these tests quick; the pacing itself is UseapiRateLimitTest's subject.
		return UseapiTestSupport.properties(baseUrl(), token, emails, 1000,
				UseapiTestSupport.http(Duration.ofSeconds(2), DataSize.ofKilobytes(64)));
	}

	private String baseUrl() {
		return "http://127.0.0.1:" + this.wireMock.port();
	}

}
