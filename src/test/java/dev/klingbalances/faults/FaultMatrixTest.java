package dev.klingbalances.faults;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.UpstreamStubs;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.FailureClass;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault matrix: one case per failure class and per upstream fault, for both providers.
 * <p>
 * Each case primes one victim account with a good snapshot, installs the fault for it and for
 * a second, never-read victim, forces a refresh of {@code /balances} and checks:
 * <ul>
 * <li>the answer is 200 within the deadline (plus a margin), every other account intact;</li>
 * <li>once the background fetches have ended: the cold victim has the case's
 * {@code error.code} and {@code upstreamStatus} and no figures; the primed victim keeps its
 * figures unchanged, {@code stale: true}, its original {@code fetchedAt}, and the error;</li>
 * <li>the upstream saw exactly the expected attempts per victim: 1 when not retryable,
 * max-attempts when retryable, 2 for a Kling 401 (one retry with a freshly signed token);</li>
 * <li>Kling requests with one credential are never less than a second apart;</li>
 * <li>no figure is ever made up (see {@link #assertNoMadeUpFigures}) and no secret leaks.</li>
 * </ul>
 * Kling cases alternate between two pairs of victims, so a case never waits out the one-second
 * pacing of the previous case's requests; the other pair is then one of the accounts that must
 * stay intact.
 */
@ExtendWith(OutputCaptureExtension.class)
class FaultMatrixTest extends FaultTestSupport {

	private static final String HTML_502 = "<html><head><title>502 Bad Gateway</title></head>"
			+ "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

	/** A 10 MB answer, ten times the default {@code max-response-size}. */
	private static final String TEN_MB = "{\"code\":0,\"message\":\"SUCCEED\",\"data\":{\"code\":0,\"pad\":\""
			+ "x".repeat(10 * 1024 * 1024) + "\"}}";

	/** Longer than the 1 s response timeout of the test configuration. */
	private static final int BEYOND_TIMEOUT_MILLIS = 3000;

	/**
	 * @param fault what the upstream answers for the victims (a fresh builder each time)
	 * @param upstreamStatus the HTTP status the error must carry, null when there was no answer
	 * @param attempts requests one fetch of a victim makes
	 * @param pair the pair of victims (see {@link FaultStubs#victims(String, int)})
	 */
	record FaultCase(String name, String provider, Supplier<ResponseDefinitionBuilder> fault, ErrorCode code,
			@Nullable Integer upstreamStatus, int attempts, int pair) {

		FaultCase(String name, String provider, Supplier<ResponseDefinitionBuilder> fault, ErrorCode code,
				@Nullable Integer upstreamStatus, int attempts) {
			this(name, provider, fault, code, upstreamStatus, attempts, 0);
		}

		FaultCase onPair(int pair) {
			return new FaultCase(this.name, this.provider, this.fault, this.code, this.upstreamStatus, this.attempts,
					pair);
		}

		@Override
		public String toString() {
			return this.provider + ": " + this.name + " -> " + this.code;
		}

	}

	static Stream<FaultCase> cases() {
		List<FaultCase> kling = klingCases();
		Stream<FaultCase> alternating = IntStream.range(0, kling.size())
			.mapToObj((i) -> kling.get(i).onPair(i % FaultStubs.VICTIM_PAIRS));
		return Stream.concat(alternating, useapiCases().stream());
	}

	static List<FaultCase> klingCases() {
		List<FaultCase> cases = new ArrayList<>();
		// every service code of Kling's table
		IntStream.rangeClosed(1000, 1004)
			.forEach((code) -> cases.add(kling(code, 401, ErrorCode.AUTHENTICATION_FAILED, 2)));
		cases.add(kling(1100, 429, ErrorCode.ACCOUNT_SUSPENDED, 1));
		cases.add(kling(1101, 429, ErrorCode.ACCOUNT_IN_ARREARS, 1));
		cases.add(kling(1102, 429, ErrorCode.PACKS_DEPLETED, 1));
		cases.add(kling(1103, 403, ErrorCode.PERMISSION_DENIED, 1));
		cases.add(kling(1200, 400, ErrorCode.REQUEST_REJECTED, 1));
		cases.add(kling(1201, 400, ErrorCode.REQUEST_REJECTED, 1));
		cases.add(kling(1202, 404, ErrorCode.REQUEST_REJECTED, 1));
		cases.add(kling(1203, 404, ErrorCode.REQUEST_REJECTED, 1));
		cases.add(kling(1302, 429, ErrorCode.THROTTLED, MAX_ATTEMPTS));
		cases.add(kling(1303, 429, ErrorCode.THROTTLED, MAX_ATTEMPTS));
		cases.add(kling(1304, 429, ErrorCode.IP_NOT_ALLOWED, 1));
		cases.add(kling(5000, 500, ErrorCode.UPSTREAM_UNAVAILABLE, MAX_ATTEMPTS));
		cases.add(kling(5001, 503, ErrorCode.UPSTREAM_UNAVAILABLE, MAX_ATTEMPTS));
		cases.add(kling(5002, 504, ErrorCode.UPSTREAM_TIMEOUT, MAX_ATTEMPTS));
		// the outer code is 0 but the inner one is not
		cases.add(new FaultCase("inner data.code 1102 under outer code 0", "kling",
				() -> json(200, "{\"code\":0,\"message\":\"SUCCEED\",\"request_id\":\"r\",\"data\":{\"code\":1102,"
						+ "\"msg\":\"packs depleted\"}}"),
				ErrorCode.PACKS_DEPLETED, 200, 1));
		// HTTP-level answers without a service code
		cases.add(new FaultCase("HTTP 401 without a body", "kling", () -> aResponse().withStatus(401),
				ErrorCode.AUTHENTICATION_FAILED, 401, 2));
		cases.add(new FaultCase("HTTP 429 with Retry-After 1 and no body", "kling",
				() -> aResponse().withStatus(429).withHeader("Retry-After", "1"), ErrorCode.THROTTLED, 429,
				MAX_ATTEMPTS));
		cases.addAll(httpFaults("kling", 200));
		cases.add(new FaultCase("HTML 200 page", "kling", () -> html(200, "<html><body>Welcome</body></html>"),
				ErrorCode.BAD_RESPONSE, 200, 1));
		cases.add(new FaultCase("truncated JSON", "kling",
				() -> json(200, "{\"code\":0,\"message\":\"SUCCEED\",\"data\":{\"code\":0,\"resource_pack"),
				ErrorCode.BAD_RESPONSE, 200, 1));
		cases.add(new FaultCase("remaining_quantity of the wrong type", "kling",
				() -> json(200, UpstreamStubs.klingCosts("\"plenty\"", "200.0")), ErrorCode.BAD_RESPONSE, 200, 1));
		return cases;
	}

	static List<FaultCase> useapiCases() {
		List<FaultCase> cases = new ArrayList<>();
		cases.add(new FaultCase("401 Unauthorized", "useapi",
				() -> json(401, "{\"error\":\"Unauthorized\",\"code\":401}"), ErrorCode.AUTHENTICATION_FAILED, 401, 1));
		cases.add(new FaultCase("402 Subscription required", "useapi",
				() -> json(402, "{\"error\":\"Subscription required\",\"code\":402}"), ErrorCode.SUBSCRIPTION_REQUIRED,
				402, 1));
		cases.add(new FaultCase("404 account not configured", "useapi",
				() -> aResponse().withStatus(404).withHeader("Content-Type", "text/plain").withBody("Not Found"),
				ErrorCode.ACCOUNT_NOT_FOUND, 404, 1));
		cases.add(new FaultCase("400 Bad Request", "useapi", () -> json(400, "{\"error\":\"bad email\",\"code\":400}"),
				ErrorCode.REQUEST_REJECTED, 400, 1));
		cases.add(new FaultCase("429 with Retry-After 1", "useapi",
				() -> json(429, "{\"error\":\"Too many requests\",\"code\":429}").withHeader("Retry-After", "1"),
				ErrorCode.THROTTLED, 429, MAX_ATTEMPTS));
		for (int status : new int[] { 500, 503, 596 }) {
			cases.add(new FaultCase("HTTP " + status, "useapi",
					() -> json(status, "{\"error\":\"failed\",\"code\":" + status + "}"), ErrorCode.UPSTREAM_UNAVAILABLE,
					status, MAX_ATTEMPTS));
		}
		cases.addAll(httpFaults("useapi", null));
		cases.add(new FaultCase("HTML 200 page", "useapi", () -> html(200, "<html><body>Welcome</body></html>"),
				ErrorCode.BAD_RESPONSE, 200, 1));
		cases.add(new FaultCase("account without a balance", "useapi",
				() -> json(200, "{\"email\":\"x@example.com\",\"maxJobs\":5}"), ErrorCode.BAD_RESPONSE, 200, 1));
		return cases;
	}

	/**
	 * Faults both providers must survive alike.
	 * @param malformedChunkStatus the status reported when the headers arrived before the body broke
	 */
	private static List<FaultCase> httpFaults(String provider, @Nullable Integer malformedChunkStatus) {
		return List.of(
				new FaultCase("delay beyond the response timeout", provider,
						() -> json(200, "{}").withFixedDelay(BEYOND_TIMEOUT_MILLIS), ErrorCode.UPSTREAM_TIMEOUT, null,
						MAX_ATTEMPTS),
				new FaultCase("connection reset", provider,
						() -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), ErrorCode.UPSTREAM_UNAVAILABLE,
						null, MAX_ATTEMPTS),
				new FaultCase("empty response (connection closed)", provider,
						() -> aResponse().withFault(Fault.EMPTY_RESPONSE), ErrorCode.UPSTREAM_UNAVAILABLE, null,
						MAX_ATTEMPTS),
				new FaultCase("malformed response chunk", provider,
						() -> aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK), ErrorCode.UPSTREAM_UNAVAILABLE,
						malformedChunkStatus, MAX_ATTEMPTS),
				new FaultCase("random data, then close", provider,
						() -> aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE), ErrorCode.UPSTREAM_UNAVAILABLE,
						null, MAX_ATTEMPTS),
				new FaultCase("HTML 502 page", provider, () -> html(502, HTML_502), ErrorCode.UPSTREAM_UNAVAILABLE,
						502, MAX_ATTEMPTS),
				new FaultCase("200 with an empty body", provider, () -> aResponse().withStatus(200),
						ErrorCode.UPSTREAM_UNAVAILABLE, 200, MAX_ATTEMPTS),
				new FaultCase("10 MB body", provider, () -> json(200, TEN_MB), ErrorCode.BAD_RESPONSE, 200, 1));
	}

	private static FaultCase kling(int code, int status, ErrorCode expected, int attempts) {
		return new FaultCase("HTTP " + status + " code " + code, "kling",
				() -> json(status, "{\"code\":" + code + ",\"message\":\"fault " + code + "\",\"request_id\":\"r-" + code
						+ "\"}"),
				expected, status, attempts);
	}

	private static ResponseDefinitionBuilder json(int status, String body) {
		return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
	}

	private static ResponseDefinitionBuilder html(int status, String body) {
		return aResponse().withStatus(status).withHeader("Content-Type", "text/html").withBody(body);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases")
	void faultIsReportedOnTimeWithItsCodeAndBoundedRetriesWhileOtherAccountsStayIntact(FaultCase fault,
			CapturedOutput output) throws Exception {
		String provider = fault.provider();
		List<String> victims = FaultStubs.victims(provider, fault.pair());
		String cold = victims.get(0);
		String primed = victims.get(1);
		List<String> otherPair = provider.equals("kling") ? FaultStubs.victims(provider, fault.pair() + 1) : List.of();
		BigDecimal primedRemaining = FaultStubs.REMAINING.get(provider + "/" + primed);

		// Given one good snapshot of the primed victim
		JsonNode good = prime(provider, primed);
		String fetchedAt = good.get("fetchedAt").asString();
		JsonNode primedTotal = good.get("total");

		// When both victims fail that way and a caller forces a refresh
		stubs.fault(provider, fault.pair(), fault.fault().get());
		Instant since = this.clock.instant();
		Answer first = balances("?refresh=true");

		// Then the answer is on time (checked by call), the others are intact, the victims are
		// reported (finally, or as pending while their retries go on) and never made up
		if (holdsTheUseapiToken(fault)) {
			assertOthersIntactOrWaitingOutTheHold(first);
		}
		else {
			assertOthersIntact(first, provider);
		}
		// (the other pair were the victims of the previous case: they may still wait out its pacing)
		for (String account : otherPair) {
			JsonNode node = first.account(provider, account);
			if (!node.get("error").isNull()) {
				assertThat(code(node)).as("%s/%s, victim of the previous case", provider, account).isEqualTo("PENDING");
			}
		}
		JsonNode coldFirst = first.account(provider, cold);
		assertThat(coldFirst.get("remaining").isNull()).isTrue();
		assertThat(code(coldFirst)).isIn(fault.code().name(), ErrorCode.PENDING.name());
		JsonNode primedFirst = first.account(provider, primed);
		assertThat(primedFirst.get("remaining").decimalValue()).isEqualByComparingTo(primedRemaining);
		assertThat(primedFirst.get("fetchedAt").asString()).isEqualTo(fetchedAt);
		if (!primedFirst.get("error").isNull()) {
			assertThat(code(primedFirst)).isIn(fault.code().name(), ErrorCode.PENDING.name());
		}

		// When the background fetches have ended
		awaitFetchEnded(provider, cold, since, Duration.ofSeconds(30));
		awaitFetchEnded(provider, primed, since, Duration.ofSeconds(30));
		for (String account : otherPair) {
			awaitFetchEnded(provider, account, since, Duration.ofSeconds(30));
		}
		Answer settled = balances("");

		// Then the cold victim has the error alone
		assertThat(settled.body().get("complete").asBoolean()).isFalse();
		assertOthersIntact(settled, provider);
		otherPair.forEach((account) -> assertIntact(settled, provider, account));
		JsonNode coldSettled = settled.account(provider, cold);
		assertError(coldSettled, fault);
		assertThat(coldSettled.get("remaining").isNull()).isTrue();
		assertThat(coldSettled.get("total").isNull()).isTrue();
		assertThat(coldSettled.get("fetchedAt").isNull()).isTrue();
		// and the primed one keeps its last good figures, stale, with the error
		JsonNode primedSettled = settled.account(provider, primed);
		assertError(primedSettled, fault);
		assertThat(primedSettled.get("remaining").decimalValue()).isEqualByComparingTo(primedRemaining);
		assertThat(primedSettled.get("total")).isEqualTo(primedTotal);
		assertThat(primedSettled.get("stale").asBoolean()).isTrue();
		assertThat(primedSettled.get("fetchedAt").asString()).isEqualTo(fetchedAt);
		// and the single-account path says the same, from the cache
		Answer single = call(path(provider, cold));
		assertThat(single.status()).isEqualTo(200);
		assertError(single.body(), fault);

		// Retries are bounded
		List<LoggedRequest> coldRequests = stubs.requests(provider, cold);
		assertThat(coldRequests).as("requests for the cold victim").hasSize(fault.attempts());
		assertThat(stubs.requests(provider, primed)).as("requests for the primed victim (prime included)")
			.hasSize(1 + fault.attempts());
		if (provider.equals("kling")) {
			FaultStubs.KLING_ACCOUNTS.forEach(FaultTestSupport::assertKlingPacing);
			if (fault.code() == ErrorCode.AUTHENTICATION_FAILED) {
				assertThat(coldRequests.get(1).getHeader("Authorization"))
					.as("the retry after a refused token sends a freshly signed one")
					.isNotEqualTo(coldRequests.get(0).getHeader("Authorization"));
			}
		}
		for (String secret : FaultStubs.SECRETS) {
			assertThat(output.getAll()).doesNotContain(secret);
		}
	}

	@Test
	void matrixDrivesEveryDocumentedErrorCodeAndFailureClass() {
		Set<ErrorCode> codes = cases().map(FaultCase::code).collect(Collectors.toSet());
		// PENDING and STORE_UNAVAILABLE are no upstream failures: HungUpstreamTest and the
		// shared-store tests (SharedCacheTest, the Redis tests) drive them
		assertThat(codes).containsAll(EnumSet.complementOf(EnumSet.of(ErrorCode.PENDING, ErrorCode.STORE_UNAVAILABLE)));
		Set<FailureClass> classes = codes.stream().map(ErrorCode::failureClass).collect(Collectors.toSet());
		assertThat(classes).containsAll(EnumSet.complementOf(EnumSet.of(FailureClass.PENDING)));
		// and every retryable case expects exactly max-attempts, every other one attempt (Kling auth: two)
		cases().forEach((fault) -> assertThat(fault.attempts()).as(fault.toString())
			.isEqualTo(fault.code().failureClass().retryable() ? MAX_ATTEMPTS
					: (fault.provider().equals("kling") && fault.code() == ErrorCode.AUTHENTICATION_FAILED) ? 2 : 1));
	}

	/**
	 * useapi.net's {@code Retry-After} holds its one token, so calls already queued behind the
	 * victims (the steady account) wait out the pause too and may still be pending at the deadline.
	 */
	private static boolean holdsTheUseapiToken(FaultCase fault) {
		return fault.provider().equals("useapi") && fault.code() == ErrorCode.THROTTLED;
	}

	private static void assertOthersIntactOrWaitingOutTheHold(Answer answer) {
		for (String account : List.of(FaultStubs.STEADY_A, FaultStubs.STEADY_B, FaultStubs.COLD, FaultStubs.PRIMED)) {
			assertIntact(answer, "kling", account);
		}
		for (String account : FaultStubs.steady("useapi")) {
			JsonNode node = answer.account("useapi", account);
			if (!node.get("error").isNull()) {
				assertThat(code(node)).as("useapi/%s while the token is on hold", account).isEqualTo("PENDING");
			}
		}
	}

	private static void assertError(JsonNode account, FaultCase fault) {
		JsonNode error = account.get("error");
		assertThat(error.isNull()).as("error of %s", account).isFalse();
		assertThat(error.get("code").asString()).as("error.code of %s", account).isEqualTo(fault.code().name());
		if (fault.upstreamStatus() == null) {
			assertThat(error.get("upstreamStatus").isNull()).as("upstreamStatus of %s", account).isTrue();
		}
		else {
			assertThat(error.get("upstreamStatus").asInt()).as("upstreamStatus of %s", account)
				.isEqualTo(fault.upstreamStatus());
		}
		assertThat(error.get("message").asString()).isNotBlank();
	}

	private static String code(JsonNode account) {
		return account.get("error").isNull() ? "(none)" : account.get("error").get("code").asString();
	}

	static String path(String provider, String account) {
		return "/balances/" + provider + "/" + account;
	}

}
