package dev.klingbalances.status;

import java.net.http.HttpResponse;
import java.util.Arrays;

import dev.klingbalances.contract.ConsumerApiTest;
import dev.klingbalances.contract.Http;
import dev.klingbalances.model.ErrorCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With consumer keys configured, the status page, its assets and its settings are served to
 * anyone, under a strict Content-Security-Policy, while its figures stay behind the key.
 */
@ConsumerApiTest
class StatusPageAccessTest {

	@LocalServerPort
	int port;

	@Autowired
	JsonMapper json;

	private Http http;

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/", "/status" })
	void servesThePageWithoutAKeyUnderAStrictContentSecurityPolicy(String path) {
		HttpResponse<String> page = this.http.get(path);

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");
		assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(StatusPageController.CONTENT_SECURITY_POLICY);
		assertThat(StatusPageController.CONTENT_SECURITY_POLICY).contains("default-src 'none'", "script-src 'self';",
				"style-src 'self';", "connect-src 'self';", "frame-ancestors 'none'")
			.doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
		assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
		String html = page.body();
		assertThat(html).contains("<script src=\"status/status.js\" defer></script>",
				"<script src=\"webjars/uplot/dist/uPlot.iife.min.js\" defer></script>", "<main id=\"main\"", "aria-live=\"polite\"");
		assertThat(html).as("no inline script, style or handler (the policy would block them)")
			.doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>")
			.doesNotContainPattern("<style")
			.doesNotContainPattern("\\sstyle=")
			.doesNotContainPattern("\\son[a-z]+=")
			.doesNotContain("//cdn", "https://", "http://");
	}

	@ParameterizedTest
	@ValueSource(strings = { "/status/status.js", "/status/status.css", "/status/favicon.svg",
			"/webjars/uplot/dist/uPlot.iife.min.js", "/webjars/uplot/dist/uPlot.min.css" })
	void servesTheAssetsWithoutAKey(String path) {
		HttpResponse<String> asset = this.http.get(path);

		assertThat(asset.statusCode()).as(path).isEqualTo(200);
		assertThat(asset.body()).as(path).isNotBlank();
		// Kept by browsers and revalidated (a page left open on a screen reloads cheaply), not no-store.
		assertThat(asset.headers().firstValue("Cache-Control")).as(path).hasValue("no-cache");
		String lastModified = asset.headers().firstValue("Last-Modified").orElseThrow();
		assertThat(this.http.get(path, "If-Modified-Since", lastModified).statusCode()).as(path).isEqualTo(304);
	}

	@Test
	void tellsThePageThatAKeyIsNeededAndWhatEachErrorCodeMeans() {
		HttpResponse<String> response = this.http.get("/status/settings");

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode settings = this.json.readTree(response.body());
		assertThat(settings.get("keyRequired").asBoolean()).isTrue();
		assertThat(settings.get("refreshSeconds").asLong()).isEqualTo(20);
		assertThat(settings.get("historyWindowSeconds").asLong()).isEqualTo(7 * 24 * 3600);
		assertThat(settings.get("runsOutWithinSeconds").asLong()).isEqualTo(14 * 24 * 3600);
		assertThat(settings.get("expiringUnusedWithinSeconds").asLong()).isEqualTo(7 * 24 * 3600);
		assertThat(settings.get("errorCodes").propertyNames()).containsExactlyElementsOf(
				Arrays.stream(ErrorCode.values()).map(ErrorCode::name).toList());
		Arrays.stream(ErrorCode.values())
			.forEach((code) -> assertThat(settings.get("errorCodes").get(code.name()).asString()).isEqualTo(code.description()));
	}

	@ParameterizedTest
	@ValueSource(strings = { "/balances", "/balances/alpha/team-a", "/balances/alpha/team-a/history" })
	void keepsTheFiguresBehindTheKey(String path) {
		HttpResponse<String> refused = this.http.get(path);

		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.body()).doesNotContain("118");
	}

	@Test
	void isNotPartOfTheApiDocument() {
		HttpResponse<String> document = this.http.get("/v3/api-docs");

		assertThat(document.statusCode()).isEqualTo(200);
		assertThat(this.json.readTree(document.body()).get("paths").propertyNames()).allMatch((path) -> path.startsWith("/balances"));
	}

}
