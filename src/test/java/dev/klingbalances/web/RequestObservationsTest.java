package dev.klingbalances.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.klingbalances.DefaultSettingsTest;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which observations a request makes, with the default configuration: the
 * {@code http.server.requests} timer the dashboards and alerts read, and none of Spring
 * Security's own (filter-chain, authentication, authorization), which cost about a tenth of
 * a cached {@code /balances} request's CPU and which nothing here reads (docs/performance.md).
 */
@DefaultSettingsTest
class RequestObservationsTest {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void recordsHttpServerRequestsButNoSpringSecurityObservations() throws Exception {
		// Open without a key in the default api-key mode; it passes Spring Security's filter chain.
		assertThat(get("/actuator/health").statusCode()).isEqualTo(200);

		String metrics = get("/actuator/prometheus").body();
		assertThat(metrics).containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/actuator/health\"")
			.doesNotContain("spring_security_");
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
