package dev.klingbalances.contract;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys scoped to accounts ({@code balances.security.api-keys[i].accounts}), on every endpoint:
 * {@code scoped-alpha} sees alpha/team-a only, {@code scoped-beta} beta's alice@… accounts only
 * (and a pattern, gamma/*, that matches nothing); alice sees everything.
 */
@ConsumerApiTest
class ScopedKeysTest {

	@LocalServerPort
	int port;

	@Autowired
	JsonMapper jsonMapper;

	Http http;

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
		// Every account read once, so each answer below comes from the cache.
		this.http.get("/balances", "X-API-Key", TestKeys.ALICE);
	}

	@Test
	void aScopedKeySeesOnlyItsAccountsWithTotalsAndCompletenessOverThem() {
		JsonNode all = json(get("/balances", TestKeys.ALICE));
		JsonNode alpha = json(get("/balances", TestKeys.SCOPED_ALPHA));
		JsonNode beta = json(get("/balances", TestKeys.SCOPED_BETA));

		assertThat(accounts(all)).contains("alpha/team-a", "alpha/team-b", "alpha/team-c", "beta/alice@example.com",
				"beta/" + FakeProviders.UNICODE_EMAIL);
		assertThat(all.get("complete").asBoolean()).as("team-b and team-c fail").isFalse();

		assertThat(accounts(alpha)).containsExactly("alpha/team-a");
		assertThat(alpha.get("complete").asBoolean()).as("its one account is fine").isTrue();
		assertThat(alpha.get("providerErrors")).as("broken's list is not its business").isEmpty();
		assertThat(alpha.get("totals").valueStream().map((total) -> total.get("provider").asString() + "/"
				+ total.get("product").asString() + "=" + total.get("remaining").asString() + "/" + total.get("accounts").asInt()))
			.containsExactly("alpha/video=118.0/1");

		assertThat(accounts(beta)).containsExactly("beta/alice@example.com");
		assertThat(beta.get("totals").valueStream().map((total) -> total.get("provider").asString()))
			.containsExactly("beta");
		assertThat(beta.toString()).doesNotContain("team-a").doesNotContain(FakeProviders.UNICODE_EMAIL);
	}

	@Test
	void entityTagsDifferPerScopeAndNeverServeAnotherKeysAnswer() {
		HttpResponse<String> all = get("/balances", TestKeys.ALICE);
		HttpResponse<String> alpha = get("/balances", TestKeys.SCOPED_ALPHA);
		String allTag = all.headers().firstValue("ETag").orElseThrow();
		String alphaTag = alpha.headers().firstValue("ETag").orElseThrow();
		assertThat(alphaTag).isNotEqualTo(allTag);

		// The other key's entity tag is no match: the scoped key gets its own answer, not a 304.
		HttpResponse<String> withAlicesTag = this.http.get("/balances", "X-API-Key", TestKeys.SCOPED_ALPHA,
				"If-None-Match", allTag);
		assertThat(withAlicesTag.statusCode()).isEqualTo(200);
		assertThat(accounts(json(withAlicesTag))).containsExactly("alpha/team-a");
		assertThat(this.http.get("/balances", "X-API-Key", TestKeys.SCOPED_ALPHA, "If-None-Match", alphaTag).statusCode())
			.isEqualTo(304);
		assertThat(this.http.get("/balances", "X-API-Key", TestKeys.ALICE, "If-None-Match", alphaTag).statusCode())
			.isEqualTo(200);
	}

	@Test
	void theCacheServesEachScopeItsOwnBytes() {
		// Interleaved requests: each key always gets its own content (same entity tag every time).
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> all = get("/balances", TestKeys.ALICE);
			HttpResponse<String> alpha = get("/balances", TestKeys.SCOPED_ALPHA);
			assertThat(accounts(json(all))).hasSizeGreaterThan(1);
			assertThat(accounts(json(alpha))).containsExactly("alpha/team-a");
			assertThat(withoutTimestamp(alpha.body())).isEqualTo(withoutTimestamp(get("/balances", TestKeys.SCOPED_ALPHA).body()));
		}
	}

	@Test
	void anAccountOutsideTheScopeIsNotFoundExactlyLikeAnUnknownOne() {
		assertThat(get("/balances/alpha/team-a", TestKeys.SCOPED_ALPHA).statusCode()).isEqualTo(200);
		assertThat(get("/balances/alpha/team-b", TestKeys.ALICE).statusCode()).as("it exists").isEqualTo(200);

		for (String[] paths : List.of(new String[] { "/balances/alpha/team-b", "/balances/alpha/no-such-team" },
				new String[] { "/balances/alpha/team-b/history", "/balances/alpha/no-such-team/history" },
				new String[] { "/balances/beta/alice@example.com", "/balances/beta/nobody@example.com" })) {
			HttpResponse<String> hidden = get(paths[0], TestKeys.SCOPED_ALPHA);
			HttpResponse<String> unknown = get(paths[1], TestKeys.SCOPED_ALPHA);
			assertThat(hidden.statusCode()).as(paths[0]).isEqualTo(404);
			JsonNode hiddenProblem = json(hidden);
			JsonNode unknownProblem = json(unknown);
			assertThat(hiddenProblem.get("code")).isEqualTo(unknownProblem.get("code"));
			assertThat(hiddenProblem.get("detail")).isEqualTo(unknownProblem.get("detail"));
			assertThat(hidden.body()).doesNotContain("scope");
		}
	}

	@Test
	void theNextAccountComesFromTheScopeOnly() {
		JsonNode alice = json(get("/balances/next?product=video", TestKeys.ALICE));
		assertThat(alice.get("candidates").valueStream().map((candidate) -> candidate.get("account").asString()))
			.contains("team-a", "team-b", "team-c");

		JsonNode alpha = json(get("/balances/next?product=video", TestKeys.SCOPED_ALPHA));
		assertThat(alpha.get("account").asString()).isEqualTo("team-a");
		assertThat(alpha.get("candidates").valueStream().map((candidate) -> candidate.get("account").asString()))
			.containsExactly("team-a");

		HttpResponse<String> credits = get("/balances/next?product=credits", TestKeys.SCOPED_ALPHA);
		assertThat(credits.statusCode()).isEqualTo(404);
		assertThat(json(credits).get("code").asString()).isEqualTo("NO_CAPACITY");
		assertThat(json(credits).get("candidates")).as("beta's accounts are not its business").isEmpty();
	}

	private HttpResponse<String> get(String path, String key) {
		return this.http.get(path, "X-API-Key", key);
	}

	private JsonNode json(HttpResponse<String> response) {
		return this.jsonMapper.readTree(response.body());
	}

	private static List<String> accounts(JsonNode balances) {
		return balances.get("accounts")
			.valueStream()
			.map((account) -> account.get("provider").asString() + "/" + account.get("account").asString())
			.toList();
	}

	private static String withoutTimestamp(String body) {
		return body.replaceFirst("\"generatedAt\":\"[^\"]*\"", "");
	}

}
