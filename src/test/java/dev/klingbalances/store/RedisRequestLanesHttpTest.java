package dev.klingbalances.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.upstream.RequestLanes.Lane;
import dev.klingbalances.upstream.RequestLanes.Turn;
import dev.klingbalances.upstream.UpstreamHttpProperties;
import dev.klingbalances.upstream.UpstreamWebClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * useapi.net's rule through real HTTP ({@link Turn#UNTIL_SENT}): two pods sending with one token
 * through the application's HTTP client, against a slow WireMock stub on 127.0.0.1. On arrival,
 * requests are never closer than the interval, yet one pod's request goes out while another's
 * answer is still on its way: a turn ends when the request has left, not when it is answered.
 * On one Redis server and on a cluster of three masters ({@link SharedTestRedis}).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(SharedTestRedis.class)
@ExtendWith(SharedTestRedis.Lifecycle.class)
class RedisRequestLanesHttpTest {

	private static final Duration INTERVAL = Duration.ofMillis(200);

	/** Three intervals: the next request is sent well before this one's answer is back. */
	private static final int ANSWER_DELAY_MILLIS = 600;

	/** WireMock logs arrivals in whole milliseconds. */
	private static final long LOG_RESOLUTION_MILLIS = 1;

	@Parameter
	SharedTestRedis shape;

	private static WireMockServer upstream;

	@BeforeAll
	static void start() {
		upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		upstream.start();
		upstream.stubFor(get(urlPathEqualTo("/v1/kling/accounts/a@example.com"))
			.willReturn(aResponse().withStatus(200).withBody("{}").withFixedDelay(ANSWER_DELAY_MILLIS)));
	}

	@AfterAll
	static void stop() {
		if (upstream != null) {
			upstream.stop();
		}
	}

	@Test
	void requestsArriveAnIntervalApartWhileAnswersOverlap() throws Exception {
		WebClient client = UpstreamWebClients.create("lanes-http-test", WebClient.builder(), upstream.baseUrl(),
				UpstreamHttpProperties.defaults());
		// WireMock logs a request once it handles it: its first one takes it a while (class
		// loading, threads), which would make that arrival look later than it was.
		client.get().uri("/warm-up").retrieve().toBodilessEntity().onErrorResume((ex) -> Mono.empty()).block(Duration.ofSeconds(10));
		upstream.resetRequests();
		TestRedis redisServer = this.shape.server();
		try (RedisPod podA = new RedisPod(redisServer, "http:"); RedisPod podB = new RedisPod(redisServer, "http:")) {
			List<Lane> lanes = List.of(lane(podA), lane(podB));
			List<Mono<String>> requests = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				requests.add(lanes.get(i % 2)
					.run(Mono.defer(() -> client.get().uri("/v1/kling/accounts/a@example.com").retrieve().bodyToMono(String.class))));
			}

			assertThat(Flux.merge(requests).collectList().block(Duration.ofSeconds(30))).hasSize(6);
		}

		List<Long> arrivals = upstream.findAll(getRequestedFor(urlPathEqualTo("/v1/kling/accounts/a@example.com")))
			.stream()
			.map(LoggedRequest::getLoggedDate)
			.map(Date::getTime)
			.sorted(Comparator.naturalOrder())
			.toList();
		assertThat(arrivals).hasSize(6);
		List<Long> gaps = new ArrayList<>();
		for (int i = 1; i < arrivals.size(); i++) {
			gaps.add(arrivals.get(i) - arrivals.get(i - 1));
		}
		assertThat(gaps).allSatisfy((gap) -> assertThat(gap + LOG_RESOLUTION_MILLIS).isGreaterThanOrEqualTo(INTERVAL.toMillis()));
		assertThat(gaps).as("a request sent while the previous answer was on its way").anyMatch((gap) -> gap < ANSWER_DELAY_MILLIS);
	}

	private static Lane lane(RedisPod pod) {
		return new RedisRequestLanes(pod.redis, pod.keys, Duration.ofSeconds(5), RedisPod.LANE_LOCK_MARGIN, RedisPod.LANE_POLL_INTERVAL, pod.monitor)
			.lane("useapi:token", INTERVAL, Turn.UNTIL_SENT);
	}

}
