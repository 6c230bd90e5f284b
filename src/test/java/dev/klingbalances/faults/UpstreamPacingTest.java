package dev.klingbalances.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request-rate rules as the upstream sees them, on arrival: a request held up on the way
 * (a new TCP/TLS connection, a slow hop) must not let the next one arrive closer than the rule
 * allows. Kling's credential lanes start a request only after the previous one ended, so an
 * arrival is never closer than the interval. useapi.net calls run concurrently, queued at one
 * pacer: the next is released {@code 1 / requests-per-second + pacing-margin} after the previous
 * release and, when the previous call has ended by then, that long after its end (README,
 * "Caching, freshness and rate limits"). The useapi.net test delays a request by more than the
 * margin, so the margin alone cannot keep the arrivals apart: only the spacing from the end of
 * the delayed call, applied to a call already waiting in the queue, does.
 */
class UpstreamPacingTest extends FaultTestSupport {

	/** How late a Kling request reaches the upstream. */
	private static final Duration TRANSIT = Duration.ofMillis(80);

	/** {@code balances.useapi.requests-per-second=5} in the test configuration. */
	private static final Duration USEAPI_INTERVAL = Duration.ofMillis(200);

	/** {@code balances.useapi.pacing-margin}, the default. */
	private static final Duration USEAPI_MARGIN = Duration.ofMillis(100);

	/**
	 * How late one useapi.net request arrives: beyond the margin (spaced by release time alone,
	 * the next call would arrive 150 ms after it), yet answered well before the next call's
	 * release 300 ms after its own, so that call is still waiting when the delayed one ends.
	 */
	private static final Duration USEAPI_TRANSIT = USEAPI_MARGIN.plusMillis(50);

	/** WireMock logs arrivals in whole milliseconds. */
	private static final Duration CLOCK_GRAIN = Duration.ofMillis(5);

	@Test
	void klingRequestsOfOneCredentialArriveASecondApartEvenWhenOneIsHeldUpOnTheWay() throws Exception {
		// Given every request of the cold victim reaches Kling late, and Kling fails it
		stubs.delayInTransit("/kling/", TRANSIT);
		stubs.fault("kling", FaultStubs.COLD, aResponse().withStatus(503));

		// When its fetch retries
		Instant since = this.clock.instant();
		balances("?provider=kling");
		awaitFetchEnded("kling", FaultStubs.COLD, since, Duration.ofSeconds(30));

		// Then the attempts still arrive at least a second apart
		assertThat(stubs.requests("kling", FaultStubs.COLD)).hasSize(MAX_ATTEMPTS);
		assertKlingPacing(FaultStubs.COLD);
	}

	@Test
	void useapiRequestsArriveOneIntervalApartEvenWhenOneIsHeldUpOnTheWay() throws Exception {
		// Given one account's requests reach useapi.net late
		stubs.delayInTransit("/useapi/v1/kling/accounts/" + FaultStubs.EMAIL_COLD, USEAPI_TRANSIT);

		// When every useapi.net account is read
		Instant since = this.clock.instant();
		balances("?provider=useapi");
		for (String email : List.of(FaultStubs.EMAIL_STEADY, FaultStubs.EMAIL_COLD, FaultStubs.EMAIL_PRIMED)) {
			awaitFetchEnded("useapi", email, since, Duration.ofSeconds(30));
		}

		// Then no two requests arrived closer than 1 / requests-per-second
		List<LoggedRequest> requests = stubs.useapiRequests();
		assertThat(requests).hasSize(4);
		assertThat(FaultStubs.gaps(requests)).as("gaps between useapi.net requests on arrival, in order %s",
				requests.stream().map(LoggedRequest::getUrl).toList())
			.allSatisfy((gap) -> assertThat(gap).isGreaterThanOrEqualTo(USEAPI_INTERVAL.minus(CLOCK_GRAIN)));
	}

}
