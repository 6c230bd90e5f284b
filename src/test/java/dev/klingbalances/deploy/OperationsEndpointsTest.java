package dev.klingbalances.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import dev.klingbalances.DefaultSettingsTest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operational surface that the container and the chart rely on, against the running
 * application with its default configuration (no test-only security or actuator settings):
 * the chart's probe paths, the exposed endpoints, build and git info, health groups.
 */
@DefaultSettingsTest
class OperationsEndpointsTest {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper jsonMapper;

	@Autowired
	private PathMappedEndpoints endpoints;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@Test
	void servesEveryProbePathOfTheRenderedDeploymentWithoutCredentials() throws Exception {
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.ciValues("default-values.yaml"));
		List<String> probePaths = List.of(rendered.probePath("startupProbe"), rendered.probePath("livenessProbe"),
				rendered.probePath("readinessProbe"));

		assertThat(probePaths).doesNotContainNull();
		for (String path : probePaths) {
			HttpResponse<String> response = get(path);
			assertThat(response.statusCode()).as(path).isEqualTo(200);
			assertThat(json(response).path("status").asString()).as(path).isEqualTo("UP");
		}
	}

	@Test
	void exposesOnlyHealthInfoAndPrometheusOverHttp() throws Exception {
		assertThat(this.endpoints.getAllRootPaths()).containsExactlyInAnyOrder("health", "info", "prometheus");
		assertThat(get("/actuator/prometheus").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/env").statusCode()).isIn(401, 403, 404);
	}

	@Test
	void infoShowsTheBuildAndTheGitCommit() throws Exception {
		JsonNode info = json(get("/actuator/info"));

		assertThat(info.path("build").path("version").asString()).isNotBlank();
		assertThat(info.path("build").path("artifact").asString()).isEqualTo("kling-balances");
		// git.properties is written by the build when the sources are a git checkout
		if (new ClassPathResource("git.properties").exists()) {
			assertThat(info.path("git").path("commit").path("id").asString()).isNotBlank();
		}
		assertThat(info.path("git").path("remote").isMissingNode()).as("no remote URL (may carry credentials)").isTrue();
	}

	@Test
	void staysReadyAndAliveWhileAnUpstreamCircuitIsOpen() throws Exception {
		CircuitBreaker kling = this.circuitBreakers.circuitBreaker("kling");
		kling.transitionToOpenState();
		try {
			HttpResponse<String> readiness = get("/actuator/health/readiness");
			HttpResponse<String> liveness = get("/actuator/health/liveness");
			HttpResponse<String> upstreamsResponse = get("/actuator/health/upstreams");
			JsonNode upstreams = json(upstreamsResponse);

			assertThat(readiness.statusCode()).isEqualTo(200);
			assertThat(json(readiness).path("status").asString()).isEqualTo("UP");
			assertThat(liveness.statusCode()).isEqualTo(200);
			assertThat(upstreamsResponse.statusCode()).isEqualTo(503);
			JsonNode circuits = upstreams.path("components").path("circuitBreakers");
			assertThat(circuits.path("status").asString()).isEqualTo("CIRCUIT_OPEN");
			assertThat(circuits.path("details").path("kling").path("details").path("state").asString())
				.isEqualTo("OPEN");
		}
		finally {
			kling.transitionToClosedState();
		}
	}

	@Test
	void listsTheUpstreamsAsTheirOwnHealthComponent() throws Exception {
		JsonNode health = json(get("/actuator/health"));

		assertThat(health.path("components").has("circuitBreakers")).isTrue();
		assertThat(health.path("groups").values()).extracting(JsonNode::asString)
			.contains("liveness", "readiness", "upstreams");
		JsonNode readiness = json(get("/actuator/health/readiness"));
		assertThat(readiness.path("components").propertyNames()).containsExactly("readinessState");
	}

	@Test
	void answersWithTheCallersRequestId() throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(uri("/actuator/health/liveness")).header("X-Request-Id", "probe-7").build(),
				HttpResponse.BodyHandlers.ofString());

		assertThat(response.headers().firstValue("X-Request-Id")).hasValue("probe-7");
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	private JsonNode json(HttpResponse<String> response) {
		return this.jsonMapper.readTree(response.body());
	}

}
