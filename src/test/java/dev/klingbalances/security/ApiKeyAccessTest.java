package dev.klingbalances.security;

import java.net.http.HttpResponse;
import java.time.Duration;

import dev.klingbalances.contract.ConsumerApiTest;
import dev.klingbalances.contract.Http;
import dev.klingbalances.contract.TestKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Who may call what: API keys on /balances, open probes and docs, closed actuator. */
@ConsumerApiTest
@ExtendWith(OutputCaptureExtension.class)
class ApiKeyAccessTest {

	@LocalServerPort
	int port;

	@Autowired
	JsonMapper jsonMapper;

	Http http;

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
	}

	@Test
	void refusesBalancesWithoutKeyAsProblemJson() {
		HttpResponse<String> response = this.http.get("/balances");

		assertProblem(response, 401, "UNAUTHORIZED");
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"kling-balances\"");
		assertThat(json(response).path("detail").asString()).contains("Authorization: Bearer");
	}

	@Test
	void refusesOneAccountWithoutKey() {
		assertProblem(this.http.get("/balances/alpha/team-a"), 401, "UNAUTHORIZED");
	}

	@Test
	void servesBalancesWithBearerKey() {
		HttpResponse<String> response = this.http.get("/balances", "Authorization", "Bearer " + TestKeys.ALICE);

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response).path("accounts").size()).isGreaterThan(0);
	}

	@Test
	void servesBalancesWithXApiKeyHeaderAndLowerCaseScheme() {
		assertThat(this.http.get("/balances/alpha/team-a", "X-API-Key", TestKeys.ALICE).statusCode()).isEqualTo(200);
		assertThat(this.http.get("/balances/alpha/team-a", "Authorization", "bearer " + TestKeys.ALICE).statusCode())
			.isEqualTo(200);
	}

	@Test
	void refusesUnknownKeyWithoutEchoingIt() {
		String wrong = TestKeys.ALICE + "x";

		HttpResponse<String> response = this.http.get("/balances", "X-API-Key", wrong);

		assertProblem(response, 401, "UNAUTHORIZED");
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
				(value) -> assertThat(value).contains("invalid_token"));
		assertThat(response.body()).doesNotContain(wrong);
	}

	@Test
	void refusesTwoDifferentKeysInTheTwoHeaders() {
		HttpResponse<String> response = this.http.get("/balances", "Authorization", "Bearer " + TestKeys.ALICE,
				"X-API-Key", TestKeys.BROWSER);

		assertProblem(response, 401, "UNAUTHORIZED");
		assertThat(json(response).path("detail").asString()).contains("different keys");
	}

	@Test
	void acceptsTheSameKeyInBothHeaders() {
		assertThat(this.http.get("/balances", "Authorization", "Bearer " + TestKeys.ALICE, "X-API-Key", TestKeys.ALICE)
			.statusCode()).isEqualTo(200);
	}

	@Test
	void refusesRepeatedKeyHeaders() {
		assertProblem(this.http.get("/balances", "X-API-Key", TestKeys.ALICE, "X-API-Key", TestKeys.ALICE), 401,
				"UNAUTHORIZED");
	}

	@Test
	void ignoresOtherAuthorizationSchemes() {
		HttpResponse<String> response = this.http.get("/balances", "Authorization", "Basic YWxpY2U6c2VjcmV0");

		assertProblem(response, 401, "UNAUTHORIZED");
		assertThat(json(response).path("detail").asString()).contains("needs an API key");
	}

	@Test
	void keepsHealthProbesOpen() {
		assertThat(this.http.get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(this.http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
		assertThat(this.http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
	}

	@Test
	void keepsApiDocumentationOpen() {
		assertThat(this.http.get("/v3/api-docs").statusCode()).isEqualTo(200);
		assertThat(this.http.get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
	}

	@Test
	void asksForAKeyForPrometheusAndInfoOnTheApiPortByDefault() {
		// The actuator shares the API port here (no management.server.port): every account's
		// figures are in the scrape, so whoever can call the API must not read them without a key.
		assertProblem(this.http.get("/actuator/prometheus"), 401, "UNAUTHORIZED");
		assertProblem(this.http.get("/actuator/info"), 401, "UNAUTHORIZED");
		assertThat(this.http.get("/actuator/prometheus", "X-API-Key", TestKeys.ALICE).statusCode()).isEqualTo(200);
		assertThat(this.http.get("/actuator/info", "Authorization", "Bearer " + TestKeys.ALICE).statusCode())
			.isEqualTo(200);
	}

	@Test
	void closesTheActuatorIndexEvenToConsumers() {
		assertProblem(this.http.get("/actuator"), 401, "UNAUTHORIZED");
		assertProblem(this.http.get("/actuator", "X-API-Key", TestKeys.ALICE), 403, "FORBIDDEN");
	}

	@Test
	void refusesWritesToTheActuator() {
		for (String method : new String[] { "POST", "DELETE", "PUT" }) {
			assertProblem(this.http.send(method, "/actuator/health"), 401, "UNAUTHORIZED");
			assertProblem(this.http.send(method, "/actuator/prometheus", "X-API-Key", TestKeys.ALICE), 403,
					"FORBIDDEN");
		}
	}

	@Test
	void exposesNoOtherActuatorEndpoint() {
		for (String path : new String[] { "/actuator/env", "/actuator/beans", "/actuator/configprops",
				"/actuator/caches", "/actuator/ratelimiters", "/actuator/metrics", "/actuator/loggers",
				"/actuator/heapdump", "/actuator/threaddump", "/actuator/mappings" }) {
			assertProblem(this.http.get(path), 401, "UNAUTHORIZED");
			assertProblemStatus(this.http.get(path, "X-API-Key", TestKeys.ALICE), 404);
		}
	}

	@Test
	void answersUnknownPathsWithoutKeyWith401AndWithKeyWith404() {
		assertProblem(this.http.get("/nothing-here"), 401, "UNAUTHORIZED");
		assertProblemStatus(this.http.get("/nothing-here", "X-API-Key", TestKeys.ALICE), 404);
	}

	@Test
	void doesNotAnswerTheErrorPageDirectly() {
		HttpResponse<String> response = this.http.get("/error", "X-API-Key", TestKeys.ALICE);

		assertThat(response.statusCode()).isLessThan(500);
		assertProblem(response, 403, "FORBIDDEN");
	}

	@Test
	void logsTheConsumerNameButNeverTheKey(CapturedOutput output) {
		this.http.get("/balances/alpha/team-a", "Authorization", "Bearer " + TestKeys.ALICE);

		// The access log is written after the answer went out: the client may read it first.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(output.getAll())
				.containsPattern("GET /balances/alpha/team-a 200 consumer=alice \\d+ms"));
		assertThat(output.getAll()).doesNotContain(TestKeys.ALICE);
	}

	@Test
	void tagsRequestMetricsWithTheConsumerName() {
		this.http.get("/balances/alpha/team-a", "X-API-Key", TestKeys.ALICE);
		this.http.get("/balances/alpha/team-a");

		String metrics = this.http.get("/actuator/prometheus", "X-API-Key", TestKeys.ALICE).body();
		assertThat(metrics).containsPattern("http_server_requests_seconds_count\\{[^}]*consumer=\"alice\"[^}]*uri=\"/balances/\\{provider\\}/\\{account\\}\"")
			.containsPattern("http_server_requests_seconds_count\\{[^}]*consumer=\"none\"[^}]*status=\"401\"")
			.doesNotContain(TestKeys.ALICE);
	}

	private JsonNode assertProblemStatus(HttpResponse<String> response, int status) {
		assertThat(response.statusCode()).as(response.uri() + " status").isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		JsonNode problem = json(response);
		assertThat(problem.path("status").asInt()).isEqualTo(status);
		return problem;
	}

	private JsonNode json(HttpResponse<String> response) {
		return this.jsonMapper.readTree(response.body());
	}

	private void assertProblem(HttpResponse<String> response, int status, String code) {
		JsonNode problem = assertProblemStatus(response, status);
		assertThat(problem.path("code").asString()).isEqualTo(code);
		assertThat(problem.path("type").asString()).isEqualTo(
				"urn:kling-balances:problem:" + code.toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
	}

}
