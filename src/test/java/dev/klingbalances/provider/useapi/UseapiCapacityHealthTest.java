package dev.klingbalances.provider.useapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.klingbalances.DefaultSettingsTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The capacity indicator in the {@code upstreams} health group of the running application, with
 * its default configuration (no useapi.net token, so no accounts).
 */
@DefaultSettingsTest
class UseapiCapacityHealthTest {

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper jsonMapper;

	@Test
	void showsUseapiCapacityInTheUpstreamsGroupWithItsNumbers() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health/upstreams"))
				.build(), HttpResponse.BodyHandlers.ofString());

		JsonNode capacity = this.jsonMapper.readTree(response.body()).path("components").path("useapiCapacity");
		assertThat(capacity.path("status").asString()).as(response.body()).isEqualTo("UP");
		assertThat(capacity.path("details").path("capacity").asInt()).isEqualTo(160);
		assertThat(capacity.path("details").path("accounts").asInt(-1)).isZero();
		assertThat(capacity.path("details").has("warning")).isFalse();
	}

}
