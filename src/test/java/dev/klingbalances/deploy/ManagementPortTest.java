package dev.klingbalances.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import dev.klingbalances.KlingBalancesApplication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application started with exactly the environment that the chart renders (ConfigMap and
 * Secret), so with the actuator on its own port: the probes and Prometheus find their paths on
 * the management port, and the API port, the one the Ingress routes to, serves no actuator
 * path at all. The two ports are random (0) instead of the chart's 8080 and 8081, so that the
 * test never collides with anything on the machine; that they differ is what matters.
 */
class ManagementPortTest {

	private static final String CONSUMER_KEY = "management-port-test-key-7d1e";

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final JsonMapper json = JsonMapper.builder().build();

	private static @Nullable ConfigurableApplicationContext application;

	/**
	 * Spring Boot's logging system writes the log format (the chart's ECS) into system
	 * properties, which would outlive this application in the shared test JVM and turn every
	 * later test's log into JSON.
	 */
	private static final Properties systemProperties = new Properties();

	private static HelmChart.@Nullable Rendered chart;

	private static int apiPort;

	private static int managementPort;

	@BeforeAll
	static void startWithTheChartsEnvironment() throws NoSuchAlgorithmException {
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, null, Map.of("security",
				Map.of("apiKeys", List.of(Map.of("name", "management-test", "sha256", sha256Hex(CONSUMER_KEY))))));
		Map<String, Object> environment = new LinkedHashMap<>(rendered.environment());
		assertThat(environment).containsKeys("SERVER_PORT", "MANAGEMENT_SERVER_PORT");
		environment.put("SERVER_PORT", "0");
		environment.put("MANAGEMENT_SERVER_PORT", "0");
		StandardEnvironment spring = new StandardEnvironment();
		spring.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
					StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment));

		systemProperties.putAll(System.getProperties());
		ConfigurableApplicationContext context = new SpringApplicationBuilder(KlingBalancesApplication.class)
			.environment(spring)
			.run();
		application = context;
		chart = rendered;
		apiPort = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
		managementPort = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.management.port"));
	}

	@AfterAll
	static void stop() {
		if (application != null) {
			application.close();
		}
		if (!systemProperties.isEmpty()) {
			System.setProperties(systemProperties);
		}
	}

	@Test
	void runsTheActuatorOnItsOwnPort() {
		assertThat(managementPort).isPositive().isNotEqualTo(apiPort);
	}

	@Test
	void answersEveryProbeOfTheRenderedDeploymentOnTheManagementPortWithoutCredentials() throws Exception {
		HelmChart.Rendered rendered = renderedChart();
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			assertThat(rendered.probePort(probe)).as(probe).isEqualTo(rendered.containerPort("management"));
			String path = rendered.probePath(probe);
			HttpResponse<String> response = get(managementPort, path, null);

			assertThat(response.statusCode()).as(path).isEqualTo(200);
			assertThat(json.readTree(response.body()).path("status").asString()).as(path).isEqualTo("UP");
		}
	}

	@Test
	void servesPrometheusInfoAndTheUpstreamsHealthOnTheManagementPort() throws Exception {
		HttpResponse<String> prometheus = get(managementPort, "/actuator/prometheus", null);

		assertThat(prometheus.statusCode()).isEqualTo(200);
		assertThat(prometheus.body()).contains("jvm_memory_max_bytes{");
		assertThat(get(managementPort, "/actuator/info", null).statusCode()).isEqualTo(200);
		assertThat(get(managementPort, "/actuator/health/upstreams", null).statusCode()).isEqualTo(200);
		assertThat(get(managementPort, "/actuator/env", null).statusCode()).as("not exposed").isIn(401, 403, 404);
	}

	@Test
	void refusesWritesToTheActuator() throws Exception {
		HttpRequest post = HttpRequest.newBuilder(uri(managementPort, "/actuator/prometheus"))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();

		assertThat(http.send(post, HttpResponse.BodyHandlers.ofString()).statusCode()).isIn(401, 403, 405);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator", "/actuator/health", "/actuator/health/liveness",
			"/actuator/health/readiness", "/actuator/health/upstreams", "/actuator/prometheus", "/actuator/info" })
	void servesNoActuatorPathOnTheApiPort(String path) throws Exception {
		HttpResponse<String> anonymous = get(apiPort, path, null);
		HttpResponse<String> consumer = get(apiPort, path, CONSUMER_KEY);

		assertThat(anonymous.statusCode()).as("%s without a key: %s", path, anonymous.body()).isEqualTo(401);
		assertThat(consumer.statusCode()).as("%s with a key: %s", path, consumer.body()).isEqualTo(404);
		assertThat(consumer.body()).doesNotContain("\"status\":\"UP\"", "jvm_memory");
	}

	@Test
	void servesTheApiOnTheApiPortOnly() throws Exception {
		assertThat(get(apiPort, "/balances", CONSUMER_KEY).statusCode()).isEqualTo(200);
		assertThat(get(managementPort, "/balances", CONSUMER_KEY).statusCode()).isIn(401, 403, 404);
		assertThat(get(managementPort, "/v3/api-docs", null).statusCode()).isIn(401, 403, 404);
	}

	private static HttpResponse<String> get(int port, String path, @Nullable String apiKey)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(port, path));
		if (apiKey != null) {
			request.header("X-API-Key", apiKey);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static URI uri(int port, String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

	private static HelmChart.Rendered renderedChart() {
		assertThat(chart).isNotNull();
		return chart;
	}

	static String sha256Hex(String value) throws NoSuchAlgorithmException {
		byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
		return HexFormat.of().formatHex(digest);
	}

}
