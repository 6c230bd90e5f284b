package dev.klingbalances.metrics;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cache.CacheManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.klingbalances.UpstreamStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The balance gauges of the running app against WireMock stand-ins of both upstreams: each one
 * equals the figure {@code /balances} shows for the same cache state, failures keep the last
 * figures with {@code stale} and the error, unknowns have no sample, removed accounts lose their
 * series, and a scrape never reaches an upstream.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "balances.cache.warm-up=false", "balances.cache.keep-warm=requested", "balances.security.mode=none",
				"resilience4j.retry.configs.default.wait-duration=50ms", "balances.metrics.update-interval=100ms",
				"balances.useapi.cache-ttl=10m", "balances.forecast.min-span=1s",
				"balances.alerts.low-balance.units=150", "balances.alerts.accounts[0].provider=useapi",
				"balances.alerts.accounts[0].account=" + UpstreamStubs.EMAIL_1,
				"balances.alerts.accounts[0].low-balance=60000" })
class BalanceMetricsFlowTest {

	private static final UpstreamStubs stubs = new UpstreamStubs().start();

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@Autowired
	private CacheManager cacheManager;

	@DynamicPropertySource
	static void upstreams(DynamicPropertyRegistry registry) {
		stubs.register(registry);
	}

	@AfterAll
	static void stopStubs() {
		stubs.stop();
	}

	@BeforeEach
	void clearCaches() {
		this.cacheManager.getCacheNames().forEach((name) -> this.cacheManager.getCache(name).clear());
		stubs.healthy(0);
	}

	/** The thresholds this test configured, worked out by hand. */
	private static @Nullable BigDecimal threshold(JsonNode account) {
		if (account.get("account").asString().equals(UpstreamStubs.EMAIL_1)) {
			return new BigDecimal("60000");
		}
		return account.get("unit").asString().equals("units") ? new BigDecimal("150") : null;
	}

	@Test
	void everyGaugeEqualsTheApiFigureOfTheSameCacheState() throws Exception {
		balances("");
		teamAAt100Of200();
		balances("?provider=kling&refresh=true");
		app().awaitBalances("team-a at 100 with a forecast, useapi.net accounts read", (answer) ->
				hasForecast(answer, "kling", "team-a") && hasSession(answer, UpstreamStubs.EMAIL_1)
						&& remainingOf(answer, "useapi", UpstreamStubs.EMAIL_2).isNumber());

		Map<Scrape.Series, BigDecimal> gauges = awaitInStep();

		assertThat(gauges.get(capacity("balances_remaining", "kling", "team-a", "video"))).isEqualByComparingTo("100");
		assertThat(gauges.get(capacity("balances_granted", "kling", "team-a", "video"))).isEqualByComparingTo("200");
		assertThat(gauges.get(capacity("balances_remaining", "useapi", UpstreamStubs.EMAIL_2, "credits")))
			.isEqualByComparingTo("1200");
		assertThat(gauges.get(series("balances_low_balance_threshold", "useapi", UpstreamStubs.EMAIL_1)))
			.isEqualByComparingTo("60000");
		assertThat(gauges.get(series("balances_low_balance_threshold", "kling", "team-a"))).isEqualByComparingTo("150");
		assertThat(gauges.get(new Scrape.Series("balances_pool_remaining",
				Map.of("provider", "kling", "product", "video", "unit", "units"))))
			.isEqualByComparingTo("258");
		assertThat(gauges.get(new Scrape.Series("balances_grant_remaining", Map.of("provider", "kling", "account", "team-a",
				"unit", "units", "product", "video", "grant", "509f3fd3d4ab4a3f9eec5db27aa44f27", "status", "ACTIVE"))))
			.isEqualByComparingTo("100");
		assertThat(gauges).containsKey(series("balances_session_expiry_timestamp_seconds", "useapi", UpstreamStubs.EMAIL_1))
			.containsKey(capacity("balances_burn_per_day", "kling", "team-a", "video"))
			.containsKey(capacity("balances_runs_out_timestamp_seconds", "kling", "team-a", "video"))
			.containsKey(capacity("balances_expiring_unused", "kling", "team-a", "video"))
			.doesNotContainKey(series("balances_low_balance_threshold", "useapi", UpstreamStubs.EMAIL_2));
		assertThat(gauges.keySet()).as("no series for the expired pack").noneMatch((series) -> "0001".equals(series.labels().get("grant")));
	}

	@Test
	void aVideoAndImageAccountHasOneSeriesPerProductAndNoSumOfBoth() throws Exception {
		stubs.server().stubFor(get(urlPathEqualTo("/kling/account/costs"))
			.withHeader("Authorization", equalTo("Bearer " + UpstreamStubs.KLING_KEY_B))
			.willReturn(okJson(UpstreamStubs.klingVideoAndImage("300.0", "1000", "40.0", "500"))));
		balances("");
		app().awaitBalances("team-b with video and image", (answer) -> RunningApp.account(answer, "kling", "team-b")
			.path("products").size() == 2);

		Map<Scrape.Series, BigDecimal> gauges = awaitInStep();

		assertThat(gauges.get(capacity("balances_remaining", "kling", "team-b", "video"))).isEqualByComparingTo("300");
		assertThat(gauges.get(capacity("balances_granted", "kling", "team-b", "video"))).isEqualByComparingTo("1000");
		assertThat(gauges.get(capacity("balances_remaining", "kling", "team-b", "image"))).isEqualByComparingTo("40");
		assertThat(gauges.get(capacity("balances_granted", "kling", "team-b", "image"))).isEqualByComparingTo("500");
		assertThat(gauges.get(new Scrape.Series("balances_pool_remaining",
				Map.of("provider", "kling", "product", "image", "unit", "units")))).isEqualByComparingTo("40");
		assertThat(gauges.entrySet()).as("no figure adds video and image")
			.filteredOn((entry) -> "team-b".equals(entry.getKey().labels().get("account")))
			.noneMatch((entry) -> entry.getValue().compareTo(new BigDecimal("340")) == 0
					|| entry.getValue().compareTo(new BigDecimal("1500")) == 0);
		assertThat(gauges.keySet()).filteredOn((series) -> series.name().equals("balances_remaining"))
			.allSatisfy((series) -> assertThat(series.labels()).containsKey("product"));
	}

	@Test
	void afterAnOutageTheFiguresStayWithStaleAndTheError() throws Exception {
		balances("");
		stubs.server().stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts/first@example.com"))
			.willReturn(aResponse().withStatus(503).withBody("<html>Service Unavailable</html>")));
		balances("?provider=useapi&refresh=true");
		app().awaitBalances("the outage on first@example.com", (answer) -> "UPSTREAM_UNAVAILABLE"
			.equals(RunningApp.account(answer, "useapi", UpstreamStubs.EMAIL_1).path("error").path("code").asString(""))
				&& remainingOf(answer, "useapi", UpstreamStubs.EMAIL_2).isNumber());

		Map<Scrape.Series, BigDecimal> gauges = awaitInStep();

		assertThat(gauges.get(capacity("balances_remaining", "useapi", UpstreamStubs.EMAIL_1, "credits")))
			.isEqualByComparingTo("56000");
		assertThat(gauges.get(series("balances_stale", "useapi", UpstreamStubs.EMAIL_1))).isEqualByComparingTo("1");
		assertThat(gauges.get(new Scrape.Series("balances_error", Map.of("provider", "useapi", "account",
				UpstreamStubs.EMAIL_1, "unit", "credits", "code", "UPSTREAM_UNAVAILABLE", "class", "unavailable"))))
			.isEqualByComparingTo("1");
		assertThat(gauges.get(series("balances_stale", "useapi", UpstreamStubs.EMAIL_2))).isEqualByComparingTo("0");
		assertThat(gauges.keySet()).filteredOn((series) -> series.name().equals("balances_error")).hasSize(1);
	}

	@Test
	void unknownFiguresHaveNoSample() throws Exception {
		teamBInArrears();
		balances("");
		app().awaitBalances("team-b in arrears, the others read", (answer) -> inArrears(answer)
				&& videoOf(answer, "team-a").path("remaining").isNumber());

		Map<Scrape.Series, BigDecimal> gauges = awaitInStep();

		assertThat(gauges.keySet()).filteredOn((series) -> "team-b".equals(series.labels().get("account")))
			.extracting(Scrape.Series::name)
			.as("no figure; when the failure was learned, for the alert rules to pick the freshest replica")
			.containsExactlyInAnyOrder("balances_stale", "balances_error", "balances_low_balance_threshold",
					"balances_checked_timestamp_seconds");
		assertThat(gauges.get(new Scrape.Series("balances_error", Map.of("provider", "kling", "account", "team-b", "unit",
				"units", "code", "ACCOUNT_IN_ARREARS", "class", "account_state"))))
			.isEqualByComparingTo("1");
		assertThat(scrapeText().lines().filter((line) -> line.startsWith("balances_"))).noneMatch(
				(line) -> line.endsWith(" NaN") || line.contains("Inf"));
	}

	@Test
	void anAccountRemovedUpstreamLosesItsSeries() throws Exception {
		balances("");
		app().awaitBalances("second+video@example.com read", (answer) -> remainingOf(answer, "useapi", UpstreamStubs.EMAIL_2).isNumber());
		assertThat(awaitInStep().keySet()).anyMatch((series) -> UpstreamStubs.EMAIL_2.equals(series.labels().get("account")));
		stubs.server().stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts"))
			.willReturn(okJson("{\"" + UpstreamStubs.EMAIL_1 + "\":{\"email\":\"" + UpstreamStubs.EMAIL_1 + "\"}}")));
		balances("?provider=useapi&refresh=true");
		app().awaitBalances("second+video@example.com gone", (answer) -> RunningApp
			.account(answer, "useapi", UpstreamStubs.EMAIL_2).isMissingNode());

		Map<Scrape.Series, BigDecimal> gauges = awaitInStep();

		assertThat(gauges.keySet()).noneMatch((series) -> UpstreamStubs.EMAIL_2.equals(series.labels().get("account")));
		assertThat(gauges.keySet()).anyMatch((series) -> UpstreamStubs.EMAIL_1.equals(series.labels().get("account")));
	}

	@Test
	void scrapesNeverCallAnUpstream() throws Exception {
		balances("");
		app().awaitBalances("every account read", (answer) -> answer.get("complete").asBoolean());
		awaitInStep();
		int before = stubs.server().getAllServeEvents().size();

		for (int i = 0; i < 50; i++) {
			assertThat(scrapeText()).contains("balances_remaining{");
		}

		assertThat(stubs.server().getAllServeEvents()).hasSize(before);
	}

	private Map<Scrape.Series, BigDecimal> awaitInStep() {
		return app().awaitGaugesInStep(BalanceMetricsFlowTest::threshold);
	}

	/**
	 * The chart's dashboard and alert rules only read metrics this app exposes: every metric
	 * name in the dashboard's queries and in the rule template appears in a scrape taken while an
	 * account fails and another has a forecast (so the conditional series exist too).
	 */
	@Test
	void everyMetricTheDashboardAndTheAlertRulesReadIsExposed() throws Exception {
		teamBInArrears();
		balances("");
		teamAAt100Of200();
		balances("?provider=kling&refresh=true");
		app().awaitBalances("team-b in arrears, team-a with a forecast, useapi.net accounts read", (answer) -> inArrears(answer)
				&& hasForecast(answer, "kling", "team-a") && hasSession(answer, UpstreamStubs.EMAIL_1));
		awaitInStep();
		Set<String> exposed = Scrape.parse(scrapeText()).names();
		exposed.add("up");

		Path chart = Path.of(System.getProperty("basedir", ".")).resolve("helm/kling-balances");
		JsonNode dashboard = this.json.readTree(Files.readString(chart.resolve("dashboards/kling-balances.json")));
		Set<String> read = new TreeSet<>();
		for (JsonNode panel : dashboard.get("panels")) {
			panel.path("targets").forEach((target) -> read.addAll(PromQlNames.of(target.get("expr").asString())));
		}
		dashboard.get("templating").get("list").forEach((variable) -> read.addAll(
				PromQlNames.of(variable.path("query").path("query").asString("").replaceAll("^label_values\\((.*),\\s*\\w+\\)$", "$1"))));
		// A selector (name{...}), or a name handed to the template that reads it ("kling-balances.freshest").
		Matcher ruleMetrics = Pattern.compile("\\b(balances_\\w+|up)(?:\\{|\")")
			.matcher(Files.readString(chart.resolve("templates/prometheusrule.yaml"))
					+ Files.readString(chart.resolve("templates/_monitoring.tpl")));
		Set<String> ruleNames = new TreeSet<>();
		while (ruleMetrics.find()) {
			ruleNames.add(ruleMetrics.group(1));
		}

		assertThat(read).contains("balances_pool_remaining", "resilience4j_circuitbreaker_state",
				"http_client_requests_seconds_count", "balances_fetch_seconds_count");
		assertThat(exposed).containsAll(read);
		assertThat(ruleNames).hasSizeGreaterThanOrEqualTo(10);
		assertThat(exposed).containsAll(ruleNames);
	}

	private static JsonNode remainingOf(JsonNode answer, String provider, String account) {
		return RunningApp.account(answer, provider, account).path("remaining");
	}

	/** team-a's video shows the second figure (100) and a burn rate. */
	private static boolean hasForecast(JsonNode answer, String provider, String account) {
		JsonNode video = videoOf(answer, account);
		return video.path("forecast").path("burnPerDay").isNumber() && video.path("remaining").isNumber()
				&& video.path("remaining").decimalValue().compareTo(new BigDecimal("100")) == 0;
	}

	/** A Kling account's video figures ({@code products[]}), or a missing node. */
	private static JsonNode videoOf(JsonNode answer, String account) {
		for (JsonNode product : RunningApp.account(answer, "kling", account).path("products")) {
			if (product.get("product").asString().equals("video")) {
				return product;
			}
		}
		return tools.jackson.databind.node.MissingNode.getInstance();
	}

	private static boolean hasSession(JsonNode answer, String email) {
		return RunningApp.account(answer, "useapi", email).path("details").path("sessionExpiresAt").isString();
	}

	private static boolean inArrears(JsonNode answer) {
		return "ACCOUNT_IN_ARREARS"
			.equals(RunningApp.account(answer, "kling", "team-b").path("error").path("code").asString(""));
	}

	/** team-b's account is in arrears (Kling 1101): no figures, an account-state error. */
	private static void teamBInArrears() {
		stubs.server().stubFor(get(urlPathEqualTo("/kling/account/costs"))
			.withHeader("Authorization", equalTo("Bearer " + UpstreamStubs.KLING_KEY_B))
			.willReturn(aResponse().withStatus(429)
				.withHeader("Content-Type", "application/json")
				.withBody("{\"code\":1101,\"message\":\"Account arrears\",\"request_id\":\"r\"}")));
	}

	/** team-a's pack now has 100 of 200 left: with the earlier 118, a burn rate and a forecast. */
	private static void teamAAt100Of200() {
		stubs.server().stubFor(get(urlPathEqualTo("/kling/account/costs"))
			.withHeader("Authorization", equalTo("Bearer " + UpstreamStubs.KLING_KEY_A))
			.willReturn(okJson(UpstreamStubs.klingCosts("100.0", "200.0"))));
	}

	/** A figure of capacity: one series per product. */
	private static Scrape.Series capacity(String name, String provider, String account, String product) {
		return new Scrape.Series(name, Map.of("provider", provider, "account", account, "product", product, "unit",
				provider.equals("kling") ? "units" : "credits"));
	}

	private static Scrape.Series series(String name, String provider, String account) {
		return new Scrape.Series(name, Map.of("provider", provider, "account", account, "unit",
				provider.equals("kling") ? "units" : "credits"));
	}

	private JsonNode balances(String query) throws Exception {
		return app().balances(query);
	}

	private String scrapeText() throws Exception {
		return app().scrapeText();
	}

	private RunningApp app() {
		return new RunningApp(this.port, this.json);
	}

}
