package dev.klingbalances.security;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

import dev.klingbalances.contract.FakeProviders;
import dev.klingbalances.contract.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The asynchronous access log keeps Boot's structured formats: one ECS JSON line with the
 * request's MDC. Its context is closed afterwards: Logback is configured once per JVM until a
 * context closes, so the contexts started after it would log ECS JSON too and the tests that
 * read plain log lines (OpenModeTest, NoKeysConfiguredTest) would depend on the run order.
 */
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "balances.security.mode=none", "logging.structured.format.console=ecs",
				"balances.kling.base-url=http://127.0.0.1:9", "balances.useapi.base-url=http://127.0.0.1:9" })
@Import(FakeProviders.class)
class StructuredAccessLogTest {

	@LocalServerPort
	int port;

	@Test
	void writesTheAccessLineAsEcsJsonWithTheRequestId(CapturedOutput output) {
		HttpResponse<String> response = new Http(this.port).get("/balances/alpha/team-a", "X-Request-Id",
				"access-log-ecs-1");
		assertThat(response.statusCode()).isEqualTo(200);

		String marker = "GET /balances/alpha/team-a 200 consumer=- ";
		String line = await().atMost(Duration.ofSeconds(5))
			.until(() -> accessLine(output, marker), Optional::isPresent)
			.orElseThrow();
		JsonNode json = JsonMapper.builder().build().readTree(line);
		assertThat(json.path("message").asString()).startsWith(marker);
		assertThat(line).contains("\"requestId\":\"access-log-ecs-1\"").contains(AccessLog.LOGGER_NAME);
		assertThat(line).as("written with the request thread's name, not the writer's").doesNotContain("access-log\"");
	}

	private static Optional<String> accessLine(CapturedOutput output, String marker) {
		return Arrays.stream(output.getOut().split("\\R")).filter((line) -> line.contains(marker)).findFirst();
	}

}
