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
 * arrival is never closer than the interval; useapi.net requests are meant to be spaced
 * {@code 1 / requests-per-second} apart too (README, "Caching, freshness and rate limits").
 */
class UpstreamPacingTest extends FaultTestSupport {

	/** How late one request reaches the upstream; the soak measured up to ~300 ms under load. */
	private static final Duration TRANSIT = Duration.ofMillis(80);

	/** {@code balances.useapi.requests-per-second=5} in the test configuration. */
	private static final Duration USEAPI_INTERVAL = Duration.ofMillis(200);

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
		stubs.delayInTransit("/useapi/v1/kling/accounts/" + FaultStubs.EMAIL_COLD, TRANSIT);

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
