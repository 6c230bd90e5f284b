package dev.klingbalances.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Builds the image from the {@code Dockerfile} with the jar that {@code package} built, and
 * runs it the way the Helm chart does: with the environment the chart renders, the chart's
 * memory limit, as a non-root user on a read-only root filesystem with only {@code /tmp}
 * writable and no capabilities. The upstreams are WireMock stubs on 127.0.0.1; the container
 * shares the host's network.
 * <p>
 * Needs Docker. Without one it is skipped on a developer machine and fails with {@code CI=true}.
 * It never pulls when {@code BASE_IMAGE} names a local image (as CI does: nothing can be
 * pulled there); without {@code BASE_IMAGE} the Dockerfile's public default is used.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImageIT {

	private static final Logger logger = LoggerFactory.getLogger(ContainerImageIT.class);

	private static final String KLING_SECRET_KEY = "it-kling-secret-key-5f1c";

	private static final String USEAPI_TOKEN = "it-useapi-token-77ab";

	private static final String EMAIL = "first@example.com";

	private static final String CONSUMER_KEY = "it-consumer-key-0c9d41";

	private static final String IMAGE = "localhost/kling-balances-it:latest";

	private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static final JsonMapper json = JsonMapper.builder().build();

	private static @Nullable WireMockServer kling;

	private static @Nullable WireMockServer useapi;

	private static final String RESTOCKED_POINTS = "55000";

	/** The upstream answer that is in flight when SIGTERM arrives. */
	private static final Duration SLOW_UPSTREAM = Duration.ofSeconds(3);

	private static @Nullable ImageFromDockerfile image;

	private static @Nullable GenericContainer<?> app;

	private static HelmChart.@Nullable Rendered chart;

	private static int port;

	private static int managementPort;

	private static @Nullable String skipReason;

	@BeforeAll
	static void buildAndStartTheImage() throws Exception {
		skipReason = requireDocker();
		if (skipReason != null) {
			return;
		}
		String baseImage = baseImage();
		Path jar = builtJar();

		kling = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		kling.start();
		stubKling(kling);
		useapi = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		useapi.start();
		stubUseapi(useapi);
		port = freePort();
		managementPort = freePort();

		// javaOptions (JDK_JAVA_OPTIONS) adds to the image's JVM defaults: class loading is
		// logged for the CDS check while the default heap share stays in force.
		chart = HelmChart.render(HelmChart.DIRECTORY, null, chartValues(port, managementPort,
				Map.of("javaOptions", "-Xlog:class+load=info:file=/tmp/class-load.log")));

		image = new ImageFromDockerfile(IMAGE, false)
			.withFileFromPath("Dockerfile", HelmChart.BASEDIR.resolve("Dockerfile"))
			.withFileFromPath("target/" + jar.getFileName(), jar)
			// RUN steps need no network (the CDS training run calls nobody); none is given.
			.withBuildImageCmdModifier((build) -> build.withNetworkMode("none"));
		if (baseImage != null) {
			image.withBuildArg("BASE_IMAGE", baseImage);
		}

		Instant buildStart = Instant.now();
		app = startAsTheChartRunsIt(chart, "app");
		logger.info("image built and container started in {} s", Duration.between(buildStart, Instant.now()).toSeconds());
	}

	/** A container of the image with the rendered environment, memory limit and security contexts. */
	private static GenericContainer<?> startAsTheChartRunsIt(HelmChart.Rendered rendered, String name) {
		assertThat(image).isNotNull();
		long memoryLimit = memoryLimit(rendered);
		GenericContainer<?> container = new GenericContainer<>(image).withNetworkMode("host")
			.withEnv(rendered.environment())
			.withCreateContainerCmdModifier((create) -> create.getHostConfig()
				// What the chart's security contexts and resources ask of the runtime.
				.withReadonlyRootfs(true)
				.withTmpFs(Map.of("/tmp", "rw,exec,nosuid,nodev,size=128m,mode=1777"))
				.withCapDrop(Capability.ALL)
				.withSecurityOpts(List.of("no-new-privileges"))
				.withMemory(memoryLimit)
				.withMemorySwap(memoryLimit))
			.withLogConsumer(new Slf4jLogConsumer(logger).withPrefix(name))
			.waitingFor(Wait.forLogMessage(".*Started KlingBalancesApplication.*", 1)
				.withStartupTimeout(STARTUP_TIMEOUT));
		container.start();
		return container;
	}

	@BeforeEach
	void skipWithoutDockerOutsideCi() {
		// Each test reports the skip, so that the run shows what was skipped and why.
		Assumptions.assumeTrue(skipReason == null, skipReason);
	}

	@AfterAll
	static void stop() {
		if (app != null) {
			app.stop();
		}
		if (kling != null) {
			kling.stop();
		}
		if (useapi != null) {
			useapi.stop();
		}
		if (app != null) {
			// Without Ryuk nothing else removes the image (.ci/run prunes the build's leftovers).
			try {
				DockerClientFactory.instance().client().removeImageCmd(IMAGE).withForce(true).exec();
			}
			catch (RuntimeException ex) {
				logger.warn("could not remove {}: {}", IMAGE, ex.getMessage());
			}
		}
	}

	@Test
	@Order(1)
	void becomesReadyOnTheChartsProbePathsAndPorts() throws Exception {
		HelmChart.Rendered rendered = renderedChart();
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			String path = rendered.probePath(probe);
			int probePort = rendered.probePort(probe);
			assertThat(probePort).as(probe).isEqualTo(managementPort);
			await(probe).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
				HttpResponse<String> response = request(probePort, path, null);
				assertThat(response.statusCode()).as(path).isEqualTo(200);
				assertThat(json.readTree(response.body()).path("status").asString()).isEqualTo("UP");
			});
			assertThat(request(path, null).statusCode()).as("%s on the API port", path).isEqualTo(401);
		}
	}

	@Test
	@Order(2)
	void answersBalancesFromBothProvidersToAConsumerWithAKey() throws Exception {
		assertThat(request("/balances", null).statusCode()).as("without a key").isEqualTo(401);
		await("both providers answered").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofSeconds(1))
			.untilAsserted(() -> {
				HttpResponse<String> response = request("/balances", CONSUMER_KEY);
				assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
				JsonNode body = json.readTree(response.body());
				List<String> providers = new ArrayList<>();
				body.path("accounts").forEach((account) -> providers.add(account.path("provider").asString()));
				assertThat(providers).as(response.body()).contains("kling", "useapi");
				assertThat(body.path("complete").asBoolean()).as(response.body()).isTrue();
			});
		String body = request("/balances", CONSUMER_KEY).body();
		assertThat(body).doesNotContain(KLING_SECRET_KEY, USEAPI_TOKEN, CONSUMER_KEY);
		assertThat(kling().findAll(getRequestedFor(urlPathEqualTo("/account/costs")))).isNotEmpty();
	}

	@Test
	@Order(3)
	void runsAsTheNumericNonRootUserWithJavaAsPidOne() throws Exception {
		ExecResult status = container().execInContainer("cat", "/proc/1/status");
		ExecResult command = container().execInContainer("cat", "/proc/1/cmdline");

		assertThat(status.getStdout()).containsPattern("(?m)^Uid:\\s+10001\\s+10001\\s+10001\\s+10001$")
			.containsPattern("(?m)^Gid:\\s+10001\\s+10001\\s+10001\\s+10001$");
		assertThat(command.getStdout()).as("exec-form ENTRYPOINT: java receives the signals")
			.startsWith("java\u0000")
			.contains("-XX:SharedArchiveFile=application.jsa")
			.as("JVM flags on the command line would beat JAVA_TOOL_OPTIONS, so a deployment could not change them")
			.doesNotContain("-XX:MaxRAMPercentage", "-Xmx", "-XX:+ExitOnOutOfMemoryError");
	}

	@Test
	@Order(4)
	void sizesTheHeapWithTheImagesDefaultFlagsFromTheMemoryLimit() throws Exception {
		long limit = memoryLimit(renderedChart());

		assertThat(heapMaxBytes(managementPort)).as("heap max with the image's default -XX:MaxRAMPercentage=50")
			.isBetween((long) (0.85 * 0.50 * limit), (long) (0.50 * limit));
		assertThat(container().getLogs()).contains("Picked up JAVA_TOOL_OPTIONS:")
			.containsPattern("Picked up JAVA_TOOL_OPTIONS: .*-XX:\\+ExitOnOutOfMemoryError");
	}

	@Test
	@Order(5)
	void loadsItsClassesFromTheCdsArchiveMadeByTheTrainingRun() throws Exception {
		assertThat(classesFromTheArchive(container())).as("classes from the application's archive").isGreaterThan(1000);
	}

	/** javaOptions in the chart values log class loading to /tmp/class-load.log. */
	private static int classesFromTheArchive(GenericContainer<?> container) throws Exception {
		ExecResult fromArchive = container.execInContainer("grep", "-c", "source: shared objects file (top)",
				"/tmp/class-load.log");
		assertThat(fromArchive.getExitCode()).as(fromArchive.getStderr()).isZero();
		return Integer.parseInt(fromArchive.getStdout().trim());
	}

	@Test
	@Order(6)
	void logsJsonLinesWithoutSecrets() {
		String logs = container().getLogs();

		assertThat(logs).contains("\"message\":\"Started KlingBalancesApplication");
		assertThat(logs).doesNotContain(KLING_SECRET_KEY, USEAPI_TOKEN, CONSUMER_KEY);
	}

	@Test
	@Order(7)
	void finishesTheRequestInFlightAndExitsWithinTheGracePeriodOnSigterm() throws Exception {
		Object grace = HelmChart.at(renderedChart().deployment(), "spec.template.spec.terminationGracePeriodSeconds");
		Duration gracePeriod = Duration.ofSeconds(((Number) grace).longValue());
		DockerClient docker = DockerClientFactory.instance().client();
		String id = container().getContainerId();
		// A slow upstream with new figures: the forced refresh waits for it.
		useapi().stubFor(get(urlPathMatching("/v1/kling/accounts/.+"))
			.withHeader("Authorization", matching("Bearer " + USEAPI_TOKEN))
			.willReturn(aResponse().withHeader("Content-Type", "application/json")
				.withBody(useapiAccount(RESTOCKED_POINTS))
				.withFixedDelay(Math.toIntExact(SLOW_UPSTREAM.toMillis()))));
		Instant sent = Instant.now();

		CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
				requestTo(port, "/balances?refresh=true", CONSUMER_KEY).timeout(gracePeriod).build(),
				HttpResponse.BodyHandlers.ofString());
		await("the refresh reached the slow upstream").atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> useapi().getAllServeEvents()
				.stream()
				.anyMatch((event) -> event.getRequest().getUrl().startsWith("/v1/kling/accounts/")
						&& !event.getRequest().getLoggedDate().toInstant().isBefore(sent)));
		assertThat(inFlight).as("still waiting for the upstream").isNotDone();
		docker.killContainerCmd(id).withSignal("SIGTERM").exec();

		HttpResponse<String> response = inFlight.get(gracePeriod.toSeconds(), TimeUnit.SECONDS);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode body = json.readTree(response.body());
		assertThat(body.path("complete").asBoolean()).as(response.body()).isTrue();
		List<Double> useapiRemaining = new ArrayList<>();
		body.path("accounts").forEach((account) -> {
			if ("useapi".equals(account.path("provider").asString())) {
				useapiRemaining.add(account.path("remaining").asDouble());
			}
		});
		assertThat(useapiRemaining).as("the figures the slow upstream sent after SIGTERM: %s", response.body())
			.containsExactly(Double.valueOf(RESTOCKED_POINTS));
		await("exit after SIGTERM").atMost(gracePeriod)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> !Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning()));
		InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
		// 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited; 137 would be a kill.
		assertThat(state.getExitCodeLong()).isEqualTo(143L);
		assertThat(state.getOOMKilled()).isFalse();
		assertThat(container().getLogs()).contains("Commencing graceful shutdown")
			.contains("Graceful shutdown complete");
	}

	@Test
	@Order(8)
	void takesTheHeapShareFromJavaToolOptionsWhenADeploymentSetsIt() throws Exception {
		int overridePort = freePort();
		int overrideManagementPort = freePort();
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, null,
				chartValues(overridePort, overrideManagementPort, Map.of("javaToolOptions", "-XX:MaxRAMPercentage=25",
						"javaOptions", "-Xlog:class+load=info:file=/tmp/class-load.log")));
		long limit = memoryLimit(rendered);

		GenericContainer<?> overridden = startAsTheChartRunsIt(rendered, "override");
		try {
			assertThat(heapMaxBytes(overrideManagementPort)).as("heap max with -XX:MaxRAMPercentage=25")
				.isBetween((long) (0.85 * 0.25 * limit), (long) (0.25 * limit));
			assertThat(classesFromTheArchive(overridden)).as("the CDS archive fits another heap size")
				.isGreaterThan(1000);
		}
		finally {
			overridden.stop();
		}
	}

	/** The sum of the heap pools' maximum sizes, from the application's own metrics. */
	private static long heapMaxBytes(int managementPort) throws Exception {
		HttpResponse<String> response = request(managementPort, "/actuator/prometheus", null);
		assertThat(response.statusCode()).isEqualTo(200);
		double sum = 0;
		for (String line : response.body().lines().toList()) {
			if (line.startsWith("jvm_memory_max_bytes{") && line.contains("area=\"heap\"")) {
				double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
				// G1 reports -1 (no fixed maximum) for eden and survivor; the old gen has it all.
				sum += Math.max(value, 0);
			}
		}
		assertThat(sum).as("jvm_memory_max_bytes{area=\"heap\"} in %s", response.body()).isPositive();
		return (long) sum;
	}

	/** The container's memory limit as the chart renders it ({@code resources.limits.memory}). */
	private static long memoryLimit(HelmChart.Rendered rendered) {
		String quantity = String.valueOf(HelmChart.at(rendered.container(), "resources.limits.memory"));
		Matcher matcher = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(quantity);
		assertThat(matcher.matches()).as("a memory limit in Ki, Mi or Gi: %s", quantity).isTrue();
		long number = Long.parseLong(matcher.group(1));
		String unit = (matcher.group(2) != null) ? matcher.group(2) : "";
		return switch (unit) {
			case "Ki" -> number << 10;
			case "Mi" -> number << 20;
			case "Gi" -> number << 30;
			default -> number;
		};
	}

	private static Map<String, Object> chartValues(int httpPort, int managementPort, Map<String, Object> extra)
			throws NoSuchAlgorithmException {
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("containerPorts", Map.of("http", httpPort, "management", managementPort));
		values.put("kling", Map.of("baseUrl", kling().baseUrl(), "accounts",
				List.of(Map.of("id", "main", "accessKey", "it-kling-access-key", "secretKey", KLING_SECRET_KEY))));
		values.put("useapi", Map.of("baseUrl", useapi().baseUrl(), "token", USEAPI_TOKEN, "emails", List.of(EMAIL)));
		// A consumer key configured the way the chart does it: only its digest, in the Secret.
		values.put("security", Map.of("mode", "api-key", "apiKeys",
				List.of(Map.of("name", "it-consumer", "sha256", ManagementPortTest.sha256Hex(CONSUMER_KEY)))));
		values.put("logFormat", "ecs");
		// Long TTLs: no refresh-ahead call reaches the upstreams while the tests watch them.
		values.put("extraConfig", Map.of("BALANCES_KLING_CACHETTL", "1h", "BALANCES_USEAPI_CACHETTL", "1h"));
		values.putAll(extra);
		return values;
	}

	private static void stubKling(WireMockServer server) {
		long now = System.currentTimeMillis();
		long day = Duration.ofDays(1).toMillis();
		server.stubFor(get(urlPathEqualTo("/account/costs")).withHeader("Authorization", matching("Bearer .+"))
			.willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("""
					{"code":0,"message":"SUCCEED","request_id":"it-1","data":{"code":0,"msg":"ok",
					 "resource_pack_subscribe_infos":[{"resource_pack_name":"Video Generation - 10,000 entries",
					  "resource_pack_id":"pack-1","resource_pack_type":"decreasing_total",
					  "total_quantity":200.0,"remaining_quantity":118.0,"purchase_time":%d,
					  "effective_time":%d,"invalid_time":%d,"status":"online"}]}}
					""".formatted(now - 10 * day, now - 10 * day, now + 300 * day))));
	}

	private static void stubUseapi(WireMockServer server) {
		String account = useapiAccount("56000");
		server.stubFor(get(urlPathMatching("/v1/kling/accounts/.+"))
			.withHeader("Authorization", matching("Bearer " + USEAPI_TOKEN))
			.willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(account)));
		server.stubFor(get(urlPathEqualTo("/v1/kling/accounts"))
			.withHeader("Authorization", matching("Bearer " + USEAPI_TOKEN))
			.willReturn(aResponse().withHeader("Content-Type", "application/json")
				.withBody("{\"" + EMAIL + "\":" + account + "}")));
	}

	private static String useapiAccount(String points) {
		long nowSeconds = Instant.now().getEpochSecond();
		long day = Duration.ofDays(1).toSeconds();
		return """
				{"email":"%s","session":{"userId":"user-1","ExpireTime":%d,"ExpireTimeUTC":"%s"},"maxJobs":5,
				 "password":"…secured…","balance":{"points":[{"orderId":"1","type":"plan","amount":66000,
				 "balance":%s,"startTime":%d,"endTime":%d}],"tickets":[],"nextApplyTime":%d,"total":%s}}
				""".formatted(EMAIL, nowSeconds + 20 * day, Instant.ofEpochSecond(nowSeconds + 20 * day), points,
				nowSeconds - 5 * day, nowSeconds + 25 * day, nowSeconds + 25 * day, points);
	}

	private static boolean inCi() {
		return "true".equalsIgnoreCase(System.getenv("CI"));
	}

	/**
	 * A machine without Docker skips this test; CI must not: Testcontainers'
	 * {@code disabledWithoutDocker} would turn a broken daemon into a silent skip.
	 */
	private static @Nullable String requireDocker() {
		if (DockerClientFactory.instance().isDockerAvailable()) {
			return null;
		}
		if (inCi()) {
			fail("CI=true but no Docker daemon is reachable: the container test must run in CI (see .ci/run)");
		}
		String reason = "No Docker daemon: container image test skipped (it fails instead when CI=true)";
		logger.warn(reason);
		return reason;
	}

	/** The BASE_IMAGE build argument, which must already be present: it is never pulled. */
	private static @Nullable String baseImage() {
		String baseImage = System.getenv("BASE_IMAGE");
		if (baseImage == null || baseImage.isBlank()) {
			if (inCi()) {
				fail("CI=true but BASE_IMAGE is not set: nothing can be pulled in CI, build a local base image "
						+ "with .ci/base-image.sh and export BASE_IMAGE");
			}
			logger.info("BASE_IMAGE not set: building FROM the Dockerfile's default (pulled if missing)");
			return null;
		}
		try {
			DockerClientFactory.instance().client().inspectImageCmd(baseImage).exec();
		}
		catch (NotFoundException ex) {
			fail("BASE_IMAGE " + baseImage + " is not present in the local Docker daemon; build it with "
					+ ".ci/base-image.sh " + baseImage);
		}
		return baseImage;
	}

	private static Path builtJar() throws IOException {
		String configured = System.getProperty("kling-balances.jar");
		if (configured != null) {
			Path jar = Path.of(configured);
			assertThat(jar).as("the jar that package built").isRegularFile();
			return jar;
		}
		try (DirectoryStream<Path> jars = Files.newDirectoryStream(HelmChart.BASEDIR.resolve("target"), "*.jar")) {
			for (Path jar : jars) {
				return jar;
			}
		}
		return fail("no jar in target/: run ./mvnw package first");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/** A request to the API port. */
	private static HttpResponse<String> request(String path, @Nullable String apiKey)
			throws IOException, InterruptedException {
		return request(port, path, apiKey);
	}

	private static HttpResponse<String> request(int port, String path, @Nullable String apiKey)
			throws IOException, InterruptedException {
		return http.send(requestTo(port, path, apiKey).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static HttpRequest.Builder requestTo(int port, String path, @Nullable String apiKey) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
		if (apiKey != null) {
			request.header("X-API-Key", apiKey);
		}
		return request;
	}

	private static GenericContainer<?> container() {
		assertThat(app).isNotNull();
		return app;
	}

	private static HelmChart.Rendered renderedChart() {
		assertThat(chart).isNotNull();
		return chart;
	}

	private static WireMockServer kling() {
		assertThat(kling).isNotNull();
		return kling;
	}

	private static WireMockServer useapi() {
		assertThat(useapi).isNotNull();
		return useapi;
	}

}
