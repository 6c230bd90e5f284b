package dev.klingbalances.security;

import java.net.http.HttpResponse;

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

/** Secure by default: with no keys configured and no explicit mode=none, /balances is refused. */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "balances.security.actuator.prometheus=api-key", "balances.kling.base-url=http://127.0.0.1:9",
				"balances.useapi.base-url=http://127.0.0.1:9" })
@Import(FakeProviders.class)
class NoKeysConfiguredTest {

	@LocalServerPort
	int port;

	@Test
	void refusesBalancesAndWarnedAtStartUp(CapturedOutput output) {
		Http http = new Http(this.port);

		assertThat(http.get("/balances").statusCode()).isEqualTo(401);
		assertThat(http.get("/balances", "Authorization", "Bearer anything").statusCode()).isEqualTo(401);
		assertThat(output.getAll()).containsPattern("WARN .*No API keys are configured");
	}

	@Test
	void keepsHealthOpenAndPrometheusBehindAKeyWhenSoConfigured() {
		Http http = new Http(this.port);

		assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
		HttpResponse<String> prometheus = http.get("/actuator/prometheus");
		assertThat(prometheus.statusCode()).isEqualTo(401);
		assertThat(prometheus.body()).contains("\"code\":\"UNAUTHORIZED\"");
	}

	@Test
	void createsNoDefaultUserWithAGeneratedPassword(CapturedOutput output) {
		assertThat(output.getAll()).doesNotContain("Using generated security password");
	}

}
