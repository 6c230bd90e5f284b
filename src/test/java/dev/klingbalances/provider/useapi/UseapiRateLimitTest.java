package dev.klingbalances.provider.useapi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.provider.BalanceSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.util.unit.DataSize;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.klingbalances.provider.useapi.UseapiTestSupport.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The requests-per-second ceiling holds for everything sent with the one token, as seen in
 * WireMock's request journal.
 * <p>
 * The pacer spaces the moments requests are released exactly 1 s / rate apart, so the
 * (rate + 1)-th request of any run is nominally exactly one second after the first. Arrival
 * times also carry scheduling and loopback jitter of a few milliseconds either way, so the
 * journal check allows {@link #JITTER} of compression (observed: 10-30 ms on a loaded machine
 * once warm); a burst (no pacing) would put all requests within a few milliseconds and fail by
 * far.
 */
class UseapiRateLimitTest {

	private static final int REQUESTS_PER_SECOND = 4;

	private static final long JITTER_MILLIS = 100;

	private static final Duration JITTER = Duration.ofMillis(JITTER_MILLIS);

	/** {@code balances.useapi.pacing-margin}'s default. */
	private static final Duration DEFAULT_PACING_MARGIN = Duration.ofMillis(100);

	private static final List<String> EMAILS = List.of("ann@example.com", "bob@example.com", "cy@example.com");

	private static final String ACCOUNT = """
			{"balance":{"points":[{"orderId":"o","type":"plan","amount":10,"balance":5}]}}
			""";

	private final WireMockServer wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

	@BeforeEach
	void startAndWarmUpWireMock() {
		this.wireMock.start();
		// A cold JVM delays the first request by class loading on both sides, which would show
		// up as jitter; warm both up with a separate provider (its own pacer) and forget it.
		this.wireMock.stubFor(get("/v1/kling/accounts/warm@example.com").willReturn(okJson(ACCOUNT)));
		provider().fetch("warm@example.com").block(Duration.ofSeconds(10));
		this.wireMock.resetAll();
	}

	@AfterEach
	void stopWireMock() {
		this.wireMock.stop();
	}

	@Test
	void keepsDiscoveryFetchesAndRetriesUnderTheCeilingWhileEveryEmailProgresses() {
		this.wireMock.stubFor(get("/v1/kling/accounts").willReturn(okJson("""
				{"ann@example.com":{}, "bob@example.com":{}, "cy@example.com":{}}
				""")));
		this.wireMock.stubFor(get(urlPathMatching("/v1/kling/accounts/.+")).willReturn(okJson(ACCOUNT)));
		// Ann's first attempt fails once: the retry must queue for a slot like everyone else.
		this.wireMock.stubFor(get("/v1/kling/accounts/ann@example.com").inScenario("ann")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(503))
			.willSetStateTo("recovered"));
		this.wireMock.stubFor(get("/v1/kling/accounts/ann@example.com").inScenario("ann")
			.whenScenarioStateIs("recovered")
			.willReturn(okJson(ACCOUNT)));
		UseapiBalanceProvider provider = provider();

		// Given discovery and three rounds over three accounts, all started at once
		List<Mono<?>> calls = new ArrayList<>();
		calls.add(provider.accounts());
		for (int round = 0; round < 3; round++) {
			for (String email : EMAILS) {
				calls.add(provider.fetch(email));
			}
		}
		List<Object> results = Flux.fromIterable(calls)
			.flatMap((call) -> call.cast(Object.class), calls.size())
			.collectList()
			.block(Duration.ofSeconds(30));

		// Then everything succeeds
		assertThat(results).hasSize(10);
		assertThat(results).filteredOn(BalanceSnapshot.class::isInstance).hasSize(9);
		// and the journal shows discovery + 9 fetches + 1 retry, paced
		List<LoggedRequest> requests = journal();
		assertThat(requests).hasSize(11);
		assertAtMostRatePerSlidingSecond(requests);
		// and every email was served early, in turn, rather than one account's backlog first
		assertThat(requests.subList(1, 4)).extracting(UseapiRateLimitTest::email)
			.containsExactlyInAnyOrderElementsOf(EMAILS);
		assertThat(requests).extracting(UseapiRateLimitTest::email)
			.filteredOn("ann@example.com"::equals)
			.hasSize(4);
	}

	@Test
	void callStartedByThePreviousCallsAnswerStillWaitsAFullInterval() {
		// Given discovery whose answer starts an account fetch in the same signal chain (as the
		// start-up warm-up does), answering quicker than the pacer interval
		this.wireMock.stubFor(get("/v1/kling/accounts").willReturn(okJson("{\"ann@example.com\":{}}")));
		this.wireMock.stubFor(get("/v1/kling/accounts/ann@example.com").willReturn(okJson(ACCOUNT)));
		UseapiBalanceProvider provider = provider();

		// When the fetch is chained onto discovery
		provider.accounts().flatMap((emails) -> provider.fetch(emails.get(0))).block(Duration.ofSeconds(10));

		// Then it reaches useapi.net a full interval after discovery, not right after its answer
		List<LoggedRequest> requests = journal();
		assertThat(requests).hasSize(2);
		assertThat(millis(requests.get(1)) - millis(requests.get(0)))
			.isGreaterThanOrEqualTo(1000 / REQUESTS_PER_SECOND);
	}

	@Test
	void aCallQueuedBehindASlowOneGoesAnIntervalAfterItLeftNotAfterItsAnswer() {
		// Given one account answers slowly, far beyond the pacer interval
		int answerMillis = 1500;
		this.wireMock.stubFor(get("/v1/kling/accounts/ann@example.com")
			.willReturn(okJson(ACCOUNT).withFixedDelay(answerMillis)));
		this.wireMock.stubFor(get("/v1/kling/accounts/bob@example.com").willReturn(okJson(ACCOUNT)));
		// With the default pacing margin: the interval now counts from the moment the first
		// request left, and the margin is what absorbs its being held up on the way (a first
		// request on a new connection of a busy machine reached WireMock 100 ms late without it)
		UseapiBalanceProvider provider = provider(DEFAULT_PACING_MARGIN);

		// When a second account is queued behind it
		Mono.zip(provider.fetch("ann@example.com"), provider.fetch("bob@example.com")).block(Duration.ofSeconds(10));

		// Then the second arrives an interval after the first (on arrival, the ceiling holds),
		// while the first's answer is still on its way: a slow account holds up no other
		List<LoggedRequest> requests = journal();
		assertThat(requests).extracting(UseapiRateLimitTest::email).containsExactly("ann@example.com", "bob@example.com");
		assertThat(millis(requests.get(1)) - millis(requests.get(0))).isGreaterThanOrEqualTo(1000 / REQUESTS_PER_SECOND)
			.as("before the first answer came back").isLessThan(answerMillis);
	}

	@Test
	void spacesRetriesOfOneAccountByThePacerInterval() {
		this.wireMock.stubFor(get("/v1/kling/accounts/ann@example.com").inScenario("flaky")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(503))
			.willSetStateTo("again"));
		this.wireMock.stubFor(get("/v1/kling/accounts/ann@example.com").inScenario("flaky")
			.whenScenarioStateIs("again")
			.willReturn(aResponse().withStatus(429))
			.willSetStateTo("ok"));
		this.wireMock.stubFor(get("/v1/kling/accounts/ann@example.com").inScenario("flaky")
			.whenScenarioStateIs("ok")
			.willReturn(okJson(ACCOUNT)));

		provider().fetch("ann@example.com").block(Duration.ofSeconds(10));

		List<LoggedRequest> requests = journal();
		assertThat(requests).hasSize(3);
		long interval = 1000 / REQUESTS_PER_SECOND;
		for (int i = 1; i < requests.size(); i++) {
			// The retry policy alone would wait only 20 ms.
			assertThat(millis(requests.get(i)) - millis(requests.get(i - 1)))
				.isGreaterThanOrEqualTo(interval - JITTER_MILLIS);
		}
	}

	/** For every request, the one {@code rate} places later arrived at least a second (less jitter) after it. */
	private static void assertAtMostRatePerSlidingSecond(List<LoggedRequest> requests) {
		for (int i = 0; i + REQUESTS_PER_SECOND < requests.size(); i++) {
			long window = millis(requests.get(i + REQUESTS_PER_SECOND)) - millis(requests.get(i));
			assertThat(window).as("requests %d..%d span", i, i + REQUESTS_PER_SECOND)
				.isGreaterThanOrEqualTo(Duration.ofSeconds(1).minus(JITTER).toMillis());
		}
	}

	private List<LoggedRequest> journal() {
		List<LoggedRequest> requests = new ArrayList<>(this.wireMock.findAll(anyRequestedFor(anyUrl())));
		requests.sort(Comparator.comparing(LoggedRequest::getLoggedDate));
		return requests;
	}

	private static long millis(LoggedRequest request) {
		return request.getLoggedDate().getTime();
	}

	private static String email(LoggedRequest request) {
		String url = request.getUrl();
		return url.substring(url.lastIndexOf('/') + 1);
	}

	private UseapiBalanceProvider provider() {
		return provider(Duration.ZERO);
	}

	private UseapiBalanceProvider provider(Duration pacingMargin) {
		UseapiProperties properties = UseapiTestSupport.properties("http://127.0.0.1:" + this.wireMock.port(), TOKEN,
				List.of(), REQUESTS_PER_SECOND, UseapiTestSupport.http(Duration.ofSeconds(2), DataSize.ofKilobytes(64)));
		return UseapiTestSupport.provider(new UseapiProperties(properties.baseUrl(), properties.token(),
				properties.emails(), properties.cacheTtl(), properties.requestsPerSecond(), pacingMargin,
				properties.maxRetryAfter(), properties.http()), UseapiTestSupport.circuitBreakers(100));
	}

}
