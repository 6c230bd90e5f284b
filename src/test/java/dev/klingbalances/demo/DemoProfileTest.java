package dev.klingbalances.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo profile end to end: real clients, real HTTP, simulated upstreams on 127.0.0.1. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("demo")
@ExtendWith(OutputCaptureExtension.class)
class DemoProfileTest {

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@DynamicPropertySource
	static void demoPort(DynamicPropertyRegistry registry) throws IOException {
		int port = DemoHttp.freePort();
		registry.add("balances.demo.port", () -> port);
	}

	@Test
	void demoAnswersBalancesOfBothProvidersThroughTheRealClients(CapturedOutput output) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/balances")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = this.json.readTree(response.body());
		assertThat(body.get("complete").asBoolean()).as(response.body()).isTrue();
		assertThat(body.get("accounts").valueStream().map((account) -> account.get("provider").asString()))
			.containsExactly("kling", "kling", "useapi", "useapi");
		body.get("accounts").forEach((account) -> {
			assertThat(account.get("error").isNull()).as(account.toString()).isTrue();
			assertThat(account.get("products").size()).as(account.toString()).isPositive();
			account.get("products")
				.forEach((product) -> assertThat(product.get("remaining").isNumber()).as(account.toString()).isTrue());
			assertThat(account.get("grants").size()).isPositive();
		});
		JsonNode main = body.get("accounts").valueStream()
			.filter((account) -> account.get("account").asString().equals("studio-main"))
			.findFirst()
			.orElseThrow();
		assertThat(main.get("products").valueStream().map((product) -> product.get("product").asString()))
			.as("video and image packs on one account").containsExactly("image", "video");
		assertThat(main.get("remaining").isNull()).as("never video and image added up").isTrue();
		assertThat(body.get("totals").valueStream().map((total) -> total.get("provider").asString() + "/"
				+ total.get("product").asString() + "/" + total.get("unit").asString()))
			.containsExactly("kling/video/units", "kling/image/units", "kling/other/units", "useapi/credits/credits");
		// The Chinese pack name, byte for byte, in the list and in the account's own answer.
		byte[] name = "图片生成-2000张".getBytes(StandardCharsets.UTF_8);
		for (String path : new String[] { "/balances", "/balances/kling/studio-main" }) {
			byte[] bytes = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
						HttpResponse.BodyHandlers.ofByteArray())
				.body();
			assertThat(indexOf(bytes, name)).as(path).isNotNegative();
		}
		assertThat(output.getAll()).contains("DEMO");
		assertThat(output.getAll()).doesNotContain("demo-secret-key-1-not-a-real-secret-0000")
			.doesNotContain("demo-api-key-2-not-a-real-key")
			.doesNotContain("demo-useapi-token");
		assertThat(response.body()).doesNotContain("demo-secret-key").doesNotContain("demo-useapi-token");
	}

	@Test
	void demoPicksTheAccountWhoseVideoPackExpiresFirst() throws Exception {
		HttpClient client = HttpClient.newHttpClient();
		String base = "http://127.0.0.1:" + this.port;
		// The first read fills the cache; /balances/next answers from it alone.
		client.send(HttpRequest.newBuilder(URI.create(base + "/balances")).build(), HttpResponse.BodyHandlers.ofString());

		HttpResponse<String> next = client.send(
				HttpRequest.newBuilder(URI.create(base + "/balances/next?product=video&need=20")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
		JsonNode pick = this.json.readTree(next.body());
		// studio-backup's 500-unit pack expires in 5 days, studio-main's video pack in 324.
		assertThat(pick.get("account").asString()).as(next.body()).isEqualTo("studio-backup");
		assertThat(pick.get("drawsFrom").get("name").asString()).isEqualTo("Video Generation - 500 units");
		assertThat(pick.get("candidates").valueStream().map((candidate) -> candidate.get("account").asString()))
			.containsExactly("studio-backup", "studio-main");

		HttpResponse<String> tooMuch = client.send(
				HttpRequest.newBuilder(URI.create(base + "/balances/next?product=video&need=5000")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(tooMuch.statusCode()).as(tooMuch.body()).isEqualTo(404);
		assertThat(this.json.readTree(tooMuch.body()).get("code").asString()).isEqualTo("NO_CAPACITY");
	}

	private static int indexOf(byte[] bytes, byte[] part) {
		for (int i = 0; i + part.length <= bytes.length; i++) {
			if (java.util.Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
				return i;
			}
		}
		return -1;
	}

}
