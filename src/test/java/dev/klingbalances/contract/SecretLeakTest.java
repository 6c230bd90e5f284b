package dev.klingbalances.contract;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Configures known secrets (consumer keys, Kling API key, access and secret key, a useapi.net
 * token), drives every endpoint and failure path with verbose logging, and scans every response
 * (status line, headers, body) and every log line since start-up for them and for the JWTs
 * signed with them. The real Kling and useapi.net clients talk to a hostile WireMock upstream
 * that echoes the Authorization header it received in its error bodies; the fake providers
 * put the secrets into their failures' causes, as a careless client would.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"balances.security.api-keys[0].name=scanner",
		"balances.security.api-keys[0].sha256=" + TestKeys.SCANNER_SHA256,
		"balances.security.api-keys[1].name=scan-throttled",
		"balances.security.api-keys[1].sha256=" + TestKeys.THROTTLED_SHA256,
		"resilience4j.ratelimiter.instances.consumer-scanner.base-config=consumer",
		"resilience4j.ratelimiter.instances.consumer-scanner.limit-for-period=100000",
		"resilience4j.ratelimiter.instances.consumer-scan-throttled.base-config=consumer",
		"resilience4j.ratelimiter.instances.consumer-scan-throttled.limit-for-period=1",
		"resilience4j.ratelimiter.instances.consumer-scan-throttled.limit-refresh-period=1h",
		"test.secrets.alpha-secret-key=" + SecretLeakTest.KLING_SECRET_KEY,
		"test.secrets.beta-token=" + SecretLeakTest.USEAPI_TOKEN,
		"balances.kling.accounts[0].id=scan-jwt",
		"balances.kling.accounts[0].access-key=" + SecretLeakTest.KLING_ACCESS_KEY,
		"balances.kling.accounts[0].secret-key=" + SecretLeakTest.KLING_SECRET_KEY,
		"balances.kling.accounts[1].id=scan-apikey",
		"balances.kling.accounts[1].api-key=" + SecretLeakTest.KLING_API_KEY,
		"balances.useapi.token=" + SecretLeakTest.USEAPI_TOKEN,
		"resilience4j.retry.configs.default.wait-duration=50ms",
		"logging.level.dev.klingbalances=TRACE", "logging.level.org.springframework.security=TRACE",
		"logging.level.org.springframework.web=DEBUG", "logging.level.io.github.resilience4j=DEBUG" })
@Import(FakeProviders.class)
class SecretLeakTest {

	static final String KLING_SECRET_KEY = "scan-kling-secret-key-3c9e71a0f4";

	static final String KLING_ACCESS_KEY = "scan-kling-access-key-a18f2c";

	static final String KLING_API_KEY = "scan-kling-api-key-5d7e90b3c2";

	private static final WireMockServer upstream = new WireMockServer(
			options().bindAddress("127.0.0.1").dynamicPort().globalTemplating(true));

	static final String USEAPI_TOKEN = "scan-useapi-token-b82d4f6e19";

	private static final List<String> SECRETS = List.of(TestKeys.SCANNER, TestKeys.THROTTLED, KLING_SECRET_KEY,
			KLING_ACCESS_KEY, KLING_API_KEY, USEAPI_TOKEN, TestKeys.SCANNER_SHA256, TestKeys.THROTTLED_SHA256);

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void hostileUpstream(DynamicPropertyRegistry registry) {
		if (!upstream.isRunning()) {
			upstream.start();
			String echo = "{{request.headers.Authorization}}";
			upstream.stubFor(get(urlPathEqualTo("/kling/account/costs"))
				.withHeader("Authorization", equalTo("Bearer " + KLING_API_KEY))
				.willReturn(aResponse().withStatus(401)
					.withHeader("Content-Type", "application/json")
					.withBody("{\"code\":1000,\"message\":\"authorization failed for " + echo + "\",\"request_id\":\"r1\"}")));
			upstream.stubFor(get(urlPathEqualTo("/kling/account/costs"))
				.withHeader("Authorization", matching("Bearer ey.*"))
				.willReturn(aResponse().withStatus(500)
					.withHeader("Content-Type", "application/json")
					.withBody("{\"code\":5000,\"message\":\"internal error with token " + echo + "\"}")));
			upstream.stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts"))
				.willReturn(okJson("{\"scan@example.com\":{\"email\":\"scan@example.com\",\"maxJobs\":1,"
						+ "\"password\":\"…secured…\"}}")));
			upstream.stubFor(get(urlPathMatching("/useapi/v1/kling/accounts/.+"))
				.willReturn(aResponse().withStatus(403)
					.withHeader("Content-Type", "application/json")
					.withBody("{\"error\":\"token " + echo + " may not read this account\"}")));
		}
		String base = "http://127.0.0.1:" + upstream.port();
		registry.add("balances.kling.base-url", () -> base + "/kling");
		registry.add("balances.useapi.base-url", () -> base + "/useapi");
	}

	@AfterAll
	static void stopUpstream() {
		upstream.stop();
	}

	@Test
	void noSecretAppearsInAnyResponseOrLogLine(CapturedOutput output) {
		Http http = new Http(this.port);
		RawHttp raw = new RawHttp(this.port);
		String bearer = "Bearer " + TestKeys.SCANNER;
		List<String> responses = new ArrayList<>();

		for (String path : List.of("/balances", "/balances?provider=alpha", "/balances?provider=beta",
				"/balances?provider=broken", "/balances?provider=nope", "/balances?refresh=true", "/balances?refresh=maybe",
				"/balances/alpha/team-a", "/balances/alpha/team-b", "/balances/alpha/team-c", "/balances/alpha/nobody",
				"/balances/beta/alice@example.com", "/balances/beta/zo%C3%AB%40ex%C3%A4mple.com",
				"/balances/broken/anyone", "/balances/nope/anyone", "/balances/alpha/team-a?refresh=true",
				"/balances?provider=alpha&provider=beta",
				"/balances?provider=alpha%0D%0A", "/balances/alpha/" + "a".repeat(3000), "/nothing-here", "/error",
				"/actuator", "/actuator/env", "/actuator/configprops", "/actuator/health", "/actuator/health/liveness",
				"/actuator/info", "/actuator/prometheus", "/v3/api-docs", "/v3/api-docs/swagger-config",
				"/swagger-ui/index.html")) {
			responses.add(describe(http.get(path, "Authorization", bearer)));
			responses.add(describe(http.get(path)));
		}
		Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			String body = http.get("/balances?refresh=true", "Authorization", bearer).body();
			assertThat(body).contains("\"account\":\"scan-jwt\"", "\"account\":\"scan-apikey\"",
					"\"account\":\"scan@example.com\"")
				.doesNotContain("PENDING");
			responses.add("200\n" + body);
		});
		for (String path : List.of("/balances/kling/scan-jwt", "/balances/kling/scan-apikey",
				"/balances/useapi/scan@example.com", "/balances?provider=kling", "/balances?provider=useapi")) {
			responses.add(describe(http.get(path, "Authorization", bearer)));
		}
		HttpResponse<String> first = http.get("/balances", "X-API-Key", TestKeys.SCANNER);
		responses.add(describe(first));
		responses.add(describe(http.get("/balances", "X-API-Key", TestKeys.SCANNER, "If-None-Match",
				first.headers().firstValue("ETag").orElse("\"none\""))));
		responses.add(describe(http.get("/balances", "X-API-Key", TestKeys.SCANNER + "x")));
		responses.add(describe(http.get("/balances", "Authorization", bearer, "X-API-Key", TestKeys.THROTTLED)));
		responses.add(describe(http.get("/balances", "X-API-Key", TestKeys.SCANNER, "X-API-Key", TestKeys.SCANNER)));
		responses.add(describe(http.get("/balances", "Authorization", "Basic " + java.util.Base64.getEncoder()
			.encodeToString(("scanner:" + TestKeys.SCANNER).getBytes(StandardCharsets.UTF_8)))));
		responses.add(describe(http.send("POST", "/balances", "Authorization", bearer)));
		responses.add(describe(http.send("DELETE", "/balances/alpha/team-a", "Authorization", bearer)));
		responses.add(describe(http.get("/balances", "Authorization", bearer, "Accept", "text/html")));
		for (int i = 0; i < 3; i++) {
			responses.add(describe(http.get("/balances", "X-API-Key", TestKeys.THROTTLED)));
		}
		for (String target : List.of("/balances/alpha/team-a%2Fx", "/balances/%00", "/balances/alpha/%C3%28",
				"/balances/alpha/team\"a", "/balances?provider=%zz")) {
			responses.add(raw(raw.send("GET", target.getBytes(StandardCharsets.UTF_8), "Authorization: " + bearer)));
		}
		responses.add(raw(raw.send("GET", "/balances".getBytes(StandardCharsets.UTF_8), "Authorization: " + bearer,
				"Transfer-Encoding: " + TestKeys.SCANNER)));
		responses.add(raw(raw.send("GET", "/balances".getBytes(StandardCharsets.UTF_8),
				"X-API-Key: " + TestKeys.SCANNER + "\u0001")));

		assertThat(responses).as("every failure path was exercised").anyMatch((r) -> r.startsWith("401"))
			.anyMatch((r) -> r.startsWith("403"))
			.anyMatch((r) -> r.startsWith("404"))
			.anyMatch((r) -> r.startsWith("400"))
			.anyMatch((r) -> r.startsWith("405"))
			.anyMatch((r) -> r.startsWith("429"))
			.anyMatch((r) -> r.startsWith("503"))
			.anyMatch((r) -> r.startsWith("304"))
			.anyMatch((r) -> r.startsWith("200") && r.contains("ACCOUNT_IN_ARREARS"))
			.anyMatch((r) -> r.startsWith("200") && r.contains("AUTHENTICATION_FAILED"));
		List<String> signedTokens = upstream.getAllServeEvents()
			.stream()
			.map((event) -> event.getRequest().getHeader("Authorization"))
			.filter((value) -> value != null && value.startsWith("Bearer ey"))
			.map((value) -> value.substring("Bearer ".length()))
			.distinct()
			.toList();
		assertThat(signedTokens).as("the Kling client signed JWTs with the secret key").isNotEmpty();
		assertThat(upstream.getAllServeEvents()).as("the upstreams saw every credential")
			.anyMatch((event) -> ("Bearer " + KLING_API_KEY).equals(event.getRequest().getHeader("Authorization")))
			.anyMatch((event) -> ("Bearer " + USEAPI_TOKEN).equals(event.getRequest().getHeader("Authorization")))
			.anyMatch((event) -> event.getResponse().getBodyAsString().contains(KLING_API_KEY))
			.anyMatch((event) -> event.getResponse().getBodyAsString().contains(USEAPI_TOKEN));
		List<String> secrets = new ArrayList<>(SECRETS);
		secrets.addAll(signedTokens);
		for (String response : responses) {
			for (String secret : secrets) {
				assertThat(response).as("a response").doesNotContain(secret);
			}
			assertThat(response).doesNotContainPattern("\\bat [a-z][\\w.$]+\\([\\w$]+\\.java:\\d+\\)");
		}
		String logs = output.getAll();
		assertThat(logs).as("every log line is at DEBUG or TRACE too").contains("DEBUG").contains("TRACE");
		assertThat(logs).as("the log capture saw start-up and the requests")
			.contains("API keys configured for 2 consumer(s): [scanner, scan-throttled]")
			.contains("consumer=scanner")
			.contains("Unclassified failure fetching balances.alpha [team-c]");
		for (String secret : secrets) {
			assertThat(logs).as("the logs").doesNotContain(secret);
		}
	}

	/**
	 * A key sent in the URL by mistake is refused and never logged at INFO or above (framework
	 * DEBUG logs print request URLs, like proxies do, which is why the API refuses it).
	 */
	@Test
	void refusesAKeyInTheUrlAndKeepsItOutOfTheServiceLog(CapturedOutput output) {
		String mistake = "kb-key-in-url-6a0c2e8f4d";

		HttpResponse<String> response = new Http(this.port).get("/balances?api_key=" + mistake);

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("never in the URL").doesNotContain(mistake);
		assertThat(output.getAll().lines()
			.filter((line) -> line.contains(" INFO ") || line.contains(" WARN ") || line.contains(" ERROR ")))
			.isNotEmpty()
			.noneMatch((line) -> line.contains(mistake));
	}

	private static String describe(HttpResponse<String> response) {
		return response.statusCode() + "\n" + response.headers().map() + "\n" + response.body();
	}

	private static String raw(RawHttp.Response response) {
		return response.status() + " " + response.all();
	}

}
