package dev.klingbalances.contract;

import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BalanceRules}, which the OpenAPI examples are checked against, are the service's own:
 * its real answers (good, failed, never-fetched accounts, a provider whose list cannot be read,
 * providers without accounts) follow them and match the published schemas. And each rule can
 * fail.
 */
@ConsumerApiTest
class BalanceRulesTest {

	@LocalServerPort
	int port;

	@Autowired
	JsonMapper jsonMapper;

	Http http;

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
	}

	@Test
	void realAnswersFollowTheRulesAndTheSchemas() {
		JsonNode document = get("/v3/api-docs");
		SchemaCheck schemas = new SchemaCheck(document);
		JsonNode balancesSchema = this.jsonMapper.readTree("{\"$ref\":\"#/components/schemas/BalancesResponse\"}");
		JsonNode accountSchema = this.jsonMapper.readTree("{\"$ref\":\"#/components/schemas/AccountBalance\"}");

		JsonNode all = get("/balances");
		List<String> violations = new ArrayList<>();
		violations.addAll(BalanceRules.ofResponse(all));
		violations.addAll(schemas.violations(balancesSchema, all, "/balances"));
		for (JsonNode total : all.path("totals")) {
			String path = "/balances?provider=" + total.path("provider").asString();
			JsonNode one = get(path);
			violations.addAll(BalanceRules.ofResponse(one));
			violations.addAll(schemas.violations(balancesSchema, one, path));
		}
		for (JsonNode account : all.path("accounts")) {
			String path = "/balances/" + account.path("provider").asString() + "/"
					+ URLEncoder.encode(account.path("account").asString(), StandardCharsets.UTF_8);
			JsonNode one = get(path);
			violations.addAll(BalanceRules.ofAccount(one));
			violations.addAll(schemas.violations(accountSchema, one, path));
		}

		// The answer covers what the rules are about: failures, a lost list, providers without accounts.
		assertThat(all.path("complete").asBoolean(true)).isFalse();
		assertThat(all.path("providerErrors")).isNotEmpty();
		assertThat(all.path("totals").toString()).contains("\"remaining\":null").contains("\"accounts\":0");
		assertThat(all.path("accounts").toString()).contains("\"error\":{");
		assertThat(violations).isEmpty();
	}

	@Test
	void aFailedProviderShownAsAZeroBreaksTheRules() {
		// The balances-provider-down example as it once was: the unread provider's total a complete zero
		JsonNode response = json("""
				{"complete": false, "accounts": [],
				 "totals": [{"provider": "useapi", "product": "credits", "unit": "credits", "remaining": 0, "total": 0,
				             "accounts": 0, "complete": true, "stale": false}],
				 "providerErrors": [{"provider": "useapi", "error": {"code": "UPSTREAM_UNAVAILABLE"}}]}""");

		assertThat(BalanceRules.ofResponse(response)).containsExactly(
				"useapi/credits total: complete is true but should be false",
				"useapi/credits total: remaining is 0 but should be null",
				"useapi/credits total: total is 0 but should be null");
	}

	@Test
	void totalsAddUpAndCountTheirKnownAccounts() {
		JsonNode response = json("""
				{"complete": false,
				 "accounts": [%s, %s],
				 "totals": [{"provider": "kling", "product": "video", "unit": "units", "remaining": 120, "total": 300,
				             "accounts": 2, "complete": false, "stale": false}],
				 "providerErrors": []}""".formatted(account("a", "100", "200", false, null),
				account("b", "null", "null", false, "{\"code\":\"UPSTREAM_TIMEOUT\"}")));

		assertThat(BalanceRules.ofResponse(response)).containsExactly(
				"kling/video total: accounts is 2 but 1 account(s) have known figures of it",
				"kling/video total: remaining is 120 but should be 100",
				"kling/video total: total is 300 but should be 200");
	}

	@Test
	void anErrorMakesTheAnswerIncompleteAndFreshFiguresSuspect() {
		JsonNode response = json("""
				{"complete": true, "accounts": [%s],
				 "totals": [{"provider": "kling", "product": "video", "unit": "units", "remaining": 100, "total": 200,
				             "accounts": 1, "complete": true, "stale": false}],
				 "providerErrors": []}""".formatted(account("a", "100", "200", false, "{\"code\":\"THROTTLED\"}")));

		assertThat(BalanceRules.ofResponse(response)).containsExactly(
				"kling/a: has an error but figures that are not marked stale",
				"complete is true but should be false (an account or provider error makes an answer incomplete)");
	}

	@Test
	void anAccountHoldingTwoProductsShowsNoAccountWideFigure() {
		JsonNode account = json("""
				{"provider": "kling", "account": "mixed", "unit": "units", "remaining": 140, "total": 700,
				 "products": [{"product": "image", "remaining": 40, "total": 500},
				              {"product": "video", "remaining": 100, "total": 200}],
				 "grants": [{"product": "video", "status": "ACTIVE", "remaining": 100, "total": 200},
				            {"product": "image", "status": "ACTIVE", "remaining": 40, "total": 500}],
				 "fetchedAt": "2026-05-04T08:00:00Z", "stale": false, "error": null}""");

		assertThat(BalanceRules.ofAccount(account)).containsExactly("kling/mixed: remaining is 140 but should be null",
				"kling/mixed: total is 700 but should be null");
	}

	@Test
	void anAccountsFiguresAreItsActiveGrants() {
		JsonNode account = json(account("a", "150", "200", false, null));

		assertThat(BalanceRules.ofAccount(account)).containsExactly(
				"kling/a: video remaining is 150 but its ACTIVE grants sum to 100");
	}

	/**
	 * A Kling account holding video: one ACTIVE grant of the given total (100 left) and an EXPIRED
	 * one that never counts; its video figures (and so its own) are the given ones.
	 */
	private static String account(String name, String remaining, String total, boolean stale, String error) {
		boolean unknown = "null".equals(remaining);
		String grants = unknown ? "[]" : """
				[{"product": "video", "status": "ACTIVE", "remaining": %s, "total": %s},
				 {"product": "video", "status": "EXPIRED", "remaining": 5, "total": 50}]""".formatted("100", total);
		String products = unknown ? "[]" : """
				[{"product": "video", "remaining": %s, "total": %s}]""".formatted(remaining, total);
		return """
				{"provider": "kling", "account": "%s", "unit": "units", "remaining": %s, "total": %s, "products": %s,
				 "grants": %s, "fetchedAt": %s, "stale": %s, "error": %s}""".formatted(name, remaining, total, products,
				grants, unknown ? "null" : "\"2026-05-04T08:00:00Z\"", stale, error);
	}

	private JsonNode get(String path) {
		HttpResponse<String> response = this.http.get(path, "X-API-Key", TestKeys.ALICE);
		assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
		return this.jsonMapper.readTree(response.body());
	}

	private JsonNode json(String text) {
		return this.jsonMapper.readTree(text);
	}

}
