package dev.klingbalances.security;

import java.net.http.HttpResponse;
import java.time.Duration;

import dev.klingbalances.contract.FakeProviders;
import dev.klingbalances.contract.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code balances.security.mode=none} (the demo profile): open, with a warning at start-up. */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "balances.security.mode=none", "balances.security.actuator.info=closed",
				"management.endpoints.web.exposure.include=health,info,prometheus,caches",
				"balances.kling.base-url=http://127.0.0.1:9", "balances.useapi.base-url=http://127.0.0.1:9" })
@Import(FakeProviders.class)
class OpenModeTest {

	@LocalServerPort
	int port;

	@Test
	void servesBalancesWithoutKeyAndWarnedAtStartUp(CapturedOutput output) {
		HttpResponse<String> response = new Http(this.port).get("/balances");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(output.getAll()).containsPattern("WARN .*balances\\.security\\.mode=none: /balances is open to anyone");
	}

	@Test
	void ignoresKeysAndLogsNoConsumer(CapturedOutput output) {
		HttpResponse<String> response = new Http(this.port).get("/balances/alpha/team-a", "X-API-Key", "whatever");

		assertThat(response.statusCode()).isEqualTo(200);
		// The access log is written after the answer went out: the client may read it first.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(output.getAll()).contains("GET /balances/alpha/team-a 200 consumer=- "));
	}

	@Test
	void hasNoPerConsumerLimitWithoutConsumers() {
		Http http = new Http(this.port);
		for (int i = 0; i < 25; i++) {
			assertThat(http.get("/balances/alpha/team-a").statusCode()).isEqualTo(200);
		}
	}

	@Test
	void opensOtherExposedActuatorEndpointsForReadingOnly() {
		Http http = new Http(this.port);

		assertThat(http.get("/actuator/caches").statusCode()).isEqualTo(200);
		assertThat(http.send("DELETE", "/actuator/caches").statusCode()).isEqualTo(403);
		assertThat(http.get("/actuator").statusCode()).isEqualTo(403);
	}

	@Test
	void stillClosesWhatIsClosedWithA403() {
		HttpResponse<String> info = new Http(this.port).get("/actuator/info");
		HttpResponse<String> env = new Http(this.port).get("/actuator/env");

		assertThat(info.statusCode()).isEqualTo(403);
		assertThat(info.body()).contains("\"code\":\"FORBIDDEN\"");
		assertThat(env.statusCode()).isEqualTo(404);
		assertThat(new Http(this.port).get("/actuator/health").statusCode()).isEqualTo(200);
	}

}
