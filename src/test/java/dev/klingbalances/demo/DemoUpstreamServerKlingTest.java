package dev.klingbalances.demo;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.klingbalances.demo.DemoUpstreamServer.KlingCredential;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DemoUpstreamServerKlingTest {

	private static final String ACCESS_KEY = "test-access-key";

	private static final String SECRET_KEY = "test-secret-key-that-is-at-least-32-bytes";

	private static final String API_KEY = "test-api-key";

	private static final String PAY_AS_YOU_GO_KEY = "test-api-key-without-packs";

	private static final Duration DAY = Duration.ofDays(1);

	private final DemoHttp http = new DemoHttp();

	private DemoUpstreamServer server;

	@BeforeEach
	void startServer() {
		this.server = new DemoUpstreamServer(new DemoProperties(0, Duration.ZERO, Duration.ZERO, 2, 16, 0),
				List.of(new KlingCredential("jwt-account", ACCESS_KEY, SECRET_KEY, null),
						new KlingCredential("api-key-account", null, null, API_KEY),
						new KlingCredential("payg-account", null, null, PAY_AS_YOU_GO_KEY)),
				"useapi-token");
		this.server.start();
	}

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void signedJwtGetsTheAccountsPacksInKlingsDoubleWrappedEnvelope() throws Exception {
		HttpResponse<String> response = costs(lookback(Duration.ofDays(400)), bearer(DemoHttp.kling(ACCESS_KEY, SECRET_KEY)));

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/json"));
		JsonNode body = DemoHttp.json(response);
		assertThat(body.get("code").asInt()).isZero();
		assertThat(body.get("message").asString()).isEqualTo("SUCCEED");
		assertThat(body.get("request_id").asString()).isNotBlank();
		assertThat(body.get("data").get("code").asInt()).isZero();
		JsonNode packs = body.get("data").get("resource_pack_subscribe_infos");
		assertThat(packs.isArray()).isTrue();
		assertThat(statuses(packs)).containsExactlyInAnyOrder("online", "online", "runOut", "expired", "toBeOnline");
		for (JsonNode pack : packs) {
			assertThat(pack.get("resource_pack_name").asString()).isNotBlank();
			assertThat(pack.get("resource_pack_id").asString()).matches("[0-9a-f]{32}");
			assertThat(pack.get("resource_pack_type").asString()).isIn("decreasing_total", "constant_period");
			assertThat(pack.get("total_quantity").isNumber()).isTrue();
			assertThat(pack.get("remaining_quantity").asDouble()).isBetween(0.0, pack.get("total_quantity").asDouble());
		}
	}

	@Test
	void packTimesAreEpochMillisecondsConsistentWithEachStatus() throws Exception {
		Instant now = Instant.now();
		JsonNode packs = packs(costs(lookback(Duration.ofDays(400)), bearer(DemoHttp.kling(ACCESS_KEY, SECRET_KEY))));
		JsonNode more = packs(costs(lookback(Duration.ofDays(400)), bearer(API_KEY)));

		List<JsonNode> all = new ArrayList<>();
		packs.forEach(all::add);
		more.forEach(all::add);
		assertThat(all).isNotEmpty().allSatisfy((pack) -> {
			Instant purchase = millis(pack, "purchase_time");
			Instant effective = millis(pack, "effective_time");
			Instant invalid = millis(pack, "invalid_time");
			// Milliseconds: a date in seconds read as milliseconds would land in January 1970.
			assertThat(purchase).isBetween(now.minus(DAY.multipliedBy(400)), now);
			assertThat(invalid).isBetween(now.minus(DAY.multipliedBy(400)), now.plus(DAY.multipliedBy(400)));
			assertThat(effective).isAfterOrEqualTo(purchase).isBefore(invalid);
			switch (pack.get("status").asString()) {
				case "online", "runOut" -> assertThat(now).isBetween(effective, invalid);
				case "expired" -> assertThat(invalid).isBefore(now);
				case "toBeOnline" -> assertThat(effective).isAfter(now);
				default -> throw new AssertionError("unexpected status " + pack.get("status"));
			}
		});
	}

	@Test
	void apiKeyIsComparedAsIsAndServesThatAccountsPacks() throws Exception {
		HttpResponse<String> response = costs(lookback(Duration.ofDays(400)), bearer(API_KEY));

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode packs = packs(response);
		assertThat(packs.size()).isPositive();
		assertThat(statuses(packs)).contains("online").doesNotContain("toBeOnline");
	}

	@Test
	void accountWithoutPacksLeavesThePackListOut() throws Exception {
		HttpResponse<String> response = costs(lookback(Duration.ofDays(400)), bearer(PAY_AS_YOU_GO_KEY));

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode data = DemoHttp.json(response).get("data");
		assertThat(data.get("code").asInt()).isZero();
		assertThat(data.has("resource_pack_subscribe_infos")).isFalse();
	}

	@Test
	void windowFiltersPacksByPurchaseTimeSoAShortWindowHidesLivePacks() throws Exception {
		JsonNode thirtyDays = packs(costs(lookback(Duration.ofDays(30)), bearer(API_KEY)));
		JsonNode fourHundredDays = packs(costs(lookback(Duration.ofDays(400)), bearer(API_KEY)));

		assertThat(statuses(thirtyDays)).containsExactly("online");
		assertThat(names(fourHundredDays)).containsAll(names(thirtyDays))
			.contains("Video Generation - Monthly 600 units");
	}

	@Test
	void resourcePackNameSelectsOnePackByExactName() throws Exception {
		URI uri = URI.create(lookback(Duration.ofDays(400)) + "&resource_pack_name=Video%20Generation%20-%20500%20units");

		JsonNode packs = packs(costs(uri, bearer(API_KEY)));

		assertThat(names(packs)).containsExactly("Video Generation - 500 units");
	}

	@Test
	void tokenSignedWithAnotherSecretIsRefusedAsAuthenticationFailure() throws Exception {
		String forged = DemoHttp.kling(ACCESS_KEY, "another-secret-key-that-is-32-bytes-long");

		assertKlingRefusal(costs(lookback(Duration.ofDays(400)), bearer(forged)), 401, 1000);
	}

	@Test
	void tokenFromUnknownAccessKeyIsRefusedAsAuthenticationFailure() throws Exception {
		String stranger = DemoHttp.kling("unknown-access-key", SECRET_KEY);

		assertKlingRefusal(costs(lookback(Duration.ofDays(400)), bearer(stranger)), 401, 1000);
	}

	@Test
	void expiredTokenIsRefusedWithKlingsExpiredCode() throws Exception {
		Instant now = Instant.now();
		String expired = DemoHttp.jwt(ACCESS_KEY, SECRET_KEY, now.minusSeconds(60), now.minusSeconds(1860));

		assertKlingRefusal(costs(lookback(Duration.ofDays(400)), bearer(expired)), 401, 1004);
	}

	@Test
	void tokenNotYetValidIsRefusedWithKlingsNotYetValidCode() throws Exception {
		Instant now = Instant.now();
		String early = DemoHttp.jwt(ACCESS_KEY, SECRET_KEY, now.plusSeconds(3600), now.plusSeconds(600));

		assertKlingRefusal(costs(lookback(Duration.ofDays(400)), bearer(early)), 401, 1003);
	}

	@Test
	void tokenWithoutExpiryIsRefusedAsInvalid() throws Exception {
		String noExpiry = DemoHttp.jwt(ACCESS_KEY, SECRET_KEY, null, Instant.now().minusSeconds(5));

		assertKlingRefusal(costs(lookback(Duration.ofDays(400)), bearer(noExpiry)), 401, 1002);
	}

	@Test
	void unsignedOrMalformedTokenIsRefusedAsInvalid() throws Exception {
		String unsigned = new PlainJWT(new JWTClaimsSet.Builder().issuer(ACCESS_KEY).build()).serialize();

		assertKlingRefusal(costs(lookback(Duration.ofDays(400)), bearer(unsigned)), 401, 1002);
		assertKlingRefusal(costs(lookback(Duration.ofDays(400)), bearer("not-a-jwt")), 401, 1002);
		assertKlingRefusal(costs(lookback(Duration.ofDays(400)), "Basic dXNlcjpwYXNz"), 401, 1002);
	}

	@Test
	void missingAuthorizationIsRefusedAsEmpty() throws Exception {
		assertKlingRefusal(costs(lookback(Duration.ofDays(400)), null), 401, 1001);
	}

	@Test
	void missingOrNonNumericTimesAreInvalidParameters() throws Exception {
		String token = bearer(API_KEY);

		assertKlingRefusal(costs(URI.create(this.server.klingBaseUrl() + "/account/costs"), token), 400, 1201);
		assertKlingRefusal(costs(URI.create(this.server.klingBaseUrl() + "/account/costs?start_time=yesterday&end_time=1"),
				token), 400, 1201);
	}

	@Test
	void otherPathsAndMethodsAnswerWithKlingsNotFoundCodes() throws Exception {
		assertKlingRefusal(costs(URI.create(this.server.klingBaseUrl() + "/account/other"), bearer(API_KEY)), 404, 1203);
	}

	@Test
	void secretKeyTooShortForHs256FailsStartWithoutRevealingIt() {
		DemoUpstreamServer misconfigured = new DemoUpstreamServer(
				new DemoProperties(0, Duration.ZERO, Duration.ZERO, 1, 1, 0),
				List.of(new KlingCredential("short", "ak", "short-secret", null)), null);

		assertThatIllegalArgumentException().isThrownBy(misconfigured::start)
			.withMessageContaining("balances.kling.accounts[0].secret-key")
			.withMessageNotContaining("short-secret");
		assertThat(misconfigured.isRunning()).isFalse();
	}

	@Test
	void credentialsNeverShowInToString() {
		KlingCredential credential = new KlingCredential("id", ACCESS_KEY, SECRET_KEY, API_KEY);

		assertThat(credential.toString()).doesNotContain(SECRET_KEY).doesNotContain(API_KEY).contains("id");
	}

	private HttpResponse<String> costs(URI uri, String authorization) throws Exception {
		return this.http.get(uri, authorization);
	}

	private URI lookback(Duration window) {
		long now = System.currentTimeMillis();
		return URI.create(this.server.klingBaseUrl() + "/account/costs?start_time=" + (now - window.toMillis())
				+ "&end_time=" + now);
	}

	private static String bearer(String token) {
		return "Bearer " + token;
	}

	private static JsonNode packs(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return DemoHttp.json(response).get("data").get("resource_pack_subscribe_infos");
	}

	private static List<String> statuses(JsonNode packs) {
		List<String> statuses = new ArrayList<>();
		packs.forEach((pack) -> statuses.add(pack.get("status").asString()));
		return statuses;
	}

	private static List<String> names(JsonNode packs) {
		List<String> names = new ArrayList<>();
		packs.forEach((pack) -> names.add(pack.get("resource_pack_name").asString()));
		return names;
	}

	private static Instant millis(JsonNode pack, String field) {
		assertThat(pack.get(field).isIntegralNumber()).as(field).isTrue();
		return Instant.ofEpochMilli(pack.get(field).asLong());
	}

	private static void assertKlingRefusal(HttpResponse<String> response, int status, int code) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		JsonNode body = DemoHttp.json(response);
		assertThat(body.get("code").asInt()).isEqualTo(code);
		assertThat(body.get("message").asString()).isNotBlank();
		assertThat(body.get("request_id").asString()).isNotBlank();
		assertThat(body.has("data")).isFalse();
	}

}
