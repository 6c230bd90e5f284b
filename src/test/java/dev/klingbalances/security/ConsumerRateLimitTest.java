package dev.klingbalances.security;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import dev.klingbalances.contract.ConsumerApiTest;
import dev.klingbalances.contract.Http;
import dev.klingbalances.contract.TestKeys;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One limiter per consumer: {@code throttled} has its own instance (2 per hour), {@code bob}
 * gets the {@code consumer} config (10 per second).
 */
@ConsumerApiTest
class ConsumerRateLimitTest {

	@LocalServerPort
	int port;

	@Autowired
	JsonMapper jsonMapper;

	@Autowired
	RateLimiterRegistry rateLimiters;

	@Test
	void answersTooManyRequestsWithRetryAfterOnceAConsumerExceedsItsLimit() {
		Http http = new Http(this.port);
		List<Integer> statuses = new ArrayList<>();
		HttpResponse<String> refused = null;
		for (int i = 0; i < 3 && refused == null; i++) {
			HttpResponse<String> response = http.get("/balances/alpha/team-a", "X-API-Key", TestKeys.THROTTLED);
			statuses.add(response.statusCode());
			if (response.statusCode() == 429) {
				refused = response;
			}
		}

		assertThat(refused).as("statuses " + statuses).isNotNull();
		assertThat(statuses).allMatch((status) -> status == 200 || status == 429);
		assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
		assertThat(retryAfter).isBetween(1L, 3600L);
		JsonNode problem = this.jsonMapper.readTree(refused.body());
		assertThat(problem.path("code").asString()).isEqualTo("TOO_MANY_REQUESTS");
		assertThat(problem.path("type").asString()).isEqualTo("urn:kling-balances:problem:too-many-requests");
		assertThat(problem.path("detail").asString()).contains("'throttled'").contains("2 requests per 3600 s");
		assertThat(refused.body()).doesNotContain(TestKeys.THROTTLED);
	}

	@Test
	void limitsOneConsumerWithoutLimitingAnother() {
		Http http = new Http(this.port);
		exhaustTheThrottledConsumersLimit(http);

		assertThat(http.get("/balances", "X-API-Key", TestKeys.ALICE).statusCode()).isEqualTo(200);
	}

	@Test
	void theNextAccountNeedsAKeyAndCountsAgainstTheSameLimit() {
		Http http = new Http(this.port);
		assertThat(http.get("/balances/next?product=video").statusCode()).isEqualTo(401);
		exhaustTheThrottledConsumersLimit(http);

		HttpResponse<String> refused = http.get("/balances/next?product=video", "X-API-Key", TestKeys.THROTTLED);
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(this.jsonMapper.readTree(refused.body()).path("code").asString()).isEqualTo("TOO_MANY_REQUESTS");
	}

	@Test
	void neverLimitsHealthProbesOrTheDocumentation() {
		Http http = new Http(this.port);
		exhaustTheThrottledConsumersLimit(http);

		assertThat(http.get("/actuator/health", "X-API-Key", TestKeys.THROTTLED).statusCode()).isEqualTo(200);
		assertThat(http.get("/v3/api-docs", "X-API-Key", TestKeys.THROTTLED).statusCode()).isEqualTo(200);
	}

	@Test
	void refusesARequestWithoutAKeyBeforeItReachesAnyLimiter() {
		List<String> before = limiterNames();

		HttpResponse<String> response = new Http(this.port).get("/balances");

		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(limiterNames()).as("no limiter for an unknown consumer").isEqualTo(before);
	}

	@Test
	void createsEachConsumersLimiterFromTheConsumerConfigUnlessItHasItsOwnInstance() {
		new Http(this.port).get("/balances", "X-API-Key", TestKeys.BOB);
		new Http(this.port).get("/balances", "X-API-Key", TestKeys.THROTTLED);

		assertThat(this.rateLimiters.find("consumer-bob")).hasValueSatisfying((limiter) -> {
			assertThat(limiter.getRateLimiterConfig().getLimitForPeriod()).isEqualTo(10);
			assertThat(limiter.getRateLimiterConfig().getLimitRefreshPeriod()).hasSeconds(1);
			assertThat(limiter.getRateLimiterConfig().getTimeoutDuration()).isZero();
		});
		assertThat(this.rateLimiters.find("consumer-throttled")).hasValueSatisfying(
				(limiter) -> assertThat(limiter.getRateLimiterConfig().getLimitForPeriod()).isEqualTo(2));
	}

	private List<String> limiterNames() {
		return this.rateLimiters.getAllRateLimiters().stream().map(RateLimiter::getName).sorted().toList();
	}

	/**
	 * Three requests against a limit of two per hour (fewer than three may be left, since the
	 * tests share one application): the last one is refused, whatever ran before.
	 */
	private static void exhaustTheThrottledConsumersLimit(Http http) {
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			statuses.add(http.get("/balances", "X-API-Key", TestKeys.THROTTLED).statusCode());
		}
		assertThat(statuses).as("statuses of the throttled consumer").endsWith(429);
	}

}
