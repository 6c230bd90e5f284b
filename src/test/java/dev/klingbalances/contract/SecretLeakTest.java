package dev.klingbalances.contract;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Configures known secrets (consumer keys, a Kling secret key, a useapi.net token), drives every
 * endpoint and failure path with verbose logging, and scans every response (status line,
 * headers, body) and every log line since start-up for them. The fake providers put the
 * upstream secrets into their failures' causes, as a careless client would.
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
		"balances.kling.base-url=http://127.0.0.1:9", "balances.useapi.base-url=http://127.0.0.1:9",
		"logging.level.dev.klingbalances=TRACE", "logging.level.org.springframework.security=TRACE",
		"logging.level.org.springframework.web=DEBUG", "logging.level.io.github.resilience4j=DEBUG" })
@Import(FakeProviders.class)
class SecretLeakTest {

	static final String KLING_SECRET_KEY = "scan-kling-secret-key-3c9e71a0f4";

	static final String USEAPI_TOKEN = "scan-useapi-token-b82d4f6e19";

	private static final List<String> SECRETS = List.of(TestKeys.SCANNER, TestKeys.THROTTLED, KLING_SECRET_KEY,
			USEAPI_TOKEN, TestKeys.SCANNER_SHA256, TestKeys.THROTTLED_SHA256);

	@LocalServerPort
	int port;

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
		for (String response : responses) {
			for (String secret : SECRETS) {
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
		for (String secret : SECRETS) {
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
