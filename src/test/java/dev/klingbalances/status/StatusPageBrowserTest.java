package dev.klingbalances.status;

import java.math.RoundingMode;
import java.net.http.HttpResponse;
import java.text.NumberFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import dev.klingbalances.Chromium;
import dev.klingbalances.UpstreamStubs;
import dev.klingbalances.contract.Http;
import dev.klingbalances.model.ErrorCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cache.CacheManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status page in a real browser (headless Chromium, see {@link Chromium}) against the whole
 * app and WireMock stand-ins of both upstreams, in open mode: the page shows what
 * {@code /balances} says (figures, freshness, badges, causes, warnings, forecasts, the history
 * as a chart), refreshes only conditionally and no sooner than the answer allows, never costs an
 * upstream call, logs no error, and passes an axe-core check on a desktop and a phone.
 * Screenshots go to target/.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "balances.security.mode=none", "balances.cache.warm-up=false",
				"balances.cache.keep-warm=requested", "balances.kling.cache-ttl=1h", "balances.useapi.cache-ttl=1h",
				"balances.cache.error-ttl=1h", "balances.forecast.min-span=1s", "balances.forecast.resolution=1s",
				"balances.status-page.refresh-interval=1s", "resilience4j.retry.configs.default.wait-duration=50ms",
				// estimatedRemaining is computed as of the start of the current step: with the default
				// minute, an answer (and its ETag) changed by itself when a minute began during the
				// checks that must be 304s. One step over ten years: it changes only when a test changes it.
				"balances.forecast.estimate-step=3650d" })
class StatusPageBrowserTest {

	private static final UpstreamStubs stubs = new UpstreamStubs().start();

	private static final String TEAM_B_PACK = "Video Generation - 10,000 entries";

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@Autowired
	private CacheManager cacheManager;

	@RegisterExtension
	final Chromium browser = new Chromium();

	@DynamicPropertySource
	static void upstreams(DynamicPropertyRegistry registry) {
		stubs.register(registry);
	}

	@AfterAll
	static void stopStubs() {
		stubs.stop();
	}

	/** Healthy upstreams, except that team-b's pack expires in two days; every cache empty. */
	@BeforeEach
	void setUp() {
		this.cacheManager.getCacheNames().forEach((name) -> this.cacheManager.getCache(name).clear());
		stubs.healthy(0);
		stubs.server().stubFor(get(urlPathEqualTo("/kling/account/costs"))
			.withHeader("Authorization", equalTo("Bearer " + UpstreamStubs.KLING_KEY_B))
			.willReturn(okJson(UpstreamStubs.klingCosts("40.0", "100.0", Duration.ofDays(2)))));
	}

	@Test
	void listsEveryAccountAndPoolWithTheFiguresOfBalances() {
		JsonNode balances = primed();
		assertThat(balances.get("accounts")).hasSize(5);
		assertThat(read("/status/settings").get("keyRequired").asBoolean()).as("open mode").isFalse();

		openPage();

		for (JsonNode account : balances.get("accounts")) {
			WebElement card = card(account);
			String what = account.get("provider").asString() + "/" + account.get("account").asString();
			// One block per product, each with its own figures.
			assertThat(card.findElements(By.cssSelector(".product"))).as(what).hasSize(account.get("products").size());
			for (JsonNode product : account.get("products")) {
				WebElement block = card.findElement(By.cssSelector(".product[data-product='" + product.get("product").asString() + "']"));
				assertThat(block.findElement(By.cssSelector(".amount")).getText()).as(what + " " + product.get("product"))
					.startsWith(figures(product.get("remaining"), product.get("total"), account.get("unit").asString()));
			}
			WebElement fetched = card.findElement(By.cssSelector(".fetched time"));
			assertThat(fetched.getDomAttribute("datetime")).as(what).isEqualTo(account.get("fetchedAt").asString());
			assertThat(card.findElement(By.cssSelector(".fetched")).getText()).as(what)
				.matches("Fetched (just now|\\d+ min ago)");
			assertThat(badges(card)).as(what).containsExactlyElementsOf(expectedBadges(account));
			assertThat(card.findElements(By.cssSelector(".warnings .expiring time")).stream().map((time) -> time.getDomAttribute("datetime")))
				.as(what + " expiry warnings")
				.containsExactlyElementsOf(account.get("expiringSoon").valueStream().map((item) -> item.get("expiresAt").asString()).toList());
		}
		WebElement teamB = card("kling", "team-b");
		assertThat(teamB.findElement(By.cssSelector(".warnings .grant")).getText())
			.startsWith("“" + TEAM_B_PACK + "”: 40 units left, expires in 2 days (");
		assertThat(card("useapi", UpstreamStubs.EMAIL_1).findElement(By.cssSelector(".warnings .session")).getText())
			.startsWith("The useapi.net session expires in 24 h (")
			.endsWith("after that the account cannot be read until it is renewed.");

		assertThat(this.browser.driver().findElements(By.cssSelector("#pools li.pool"))).as("one pool per provider and product")
			.hasSize(balances.get("totals").size());
		for (JsonNode total : balances.get("totals")) {
			String provider = total.get("provider").asString();
			String product = total.get("product").asString();
			WebElement pool = this.browser.driver()
				.findElement(By.cssSelector("#pools li.pool[data-provider='" + provider + "'][data-product='" + product + "']"));
			assertThat(pool.findElement(By.cssSelector(".amount")).getText()).as(provider + " " + product)
				.startsWith(figures(total.get("remaining"), total.get("total"), total.get("unit").asString()));
			long holding = count(balances, provider, product);
			assertThat(pool.findElement(By.cssSelector(".accounts-count")).getText()).as(provider + " " + product)
				.startsWith(holding + (holding == 1 ? " account" : " accounts") + " with " + product);
			assertThat(badges(pool)).as(provider).containsExactly(total.get("complete").asBoolean() ? "Complete" : "Incomplete");
		}
		assertThat(this.browser.driver().findElement(By.cssSelector("#pools li.pool[data-provider='kling'] .lag")).getText())
			.startsWith("Kling API figures may lag up to 12 h");
		assertThat(this.browser.driver().findElements(By.cssSelector("#pools li.pool[data-provider='useapi'] .lag")))
			.as("useapi.net states no delay").isEmpty();
		assertThat(pageOrder()).isEqualTo(urgencyOrder(balances));
		assertThat(this.browser.consoleErrors()).isEmpty();
	}

	@Test
	void showsEachProductOfAVideoAndImageAccountAndAPoolPerProduct() {
		stubs.server().stubFor(get(urlPathEqualTo("/kling/account/costs"))
			.withHeader("Authorization", equalTo("Bearer " + UpstreamStubs.KLING_KEY_B))
			.willReturn(okJson(UpstreamStubs.klingVideoAndImage("300.0", "1000", "40.0", "500"))));
		JsonNode balances = primed();
		assertThat(account(balances, "kling", "team-b").get("products")).hasSize(2);

		openPage();

		WebElement card = card("kling", "team-b");
		assertThat(card.findElements(By.cssSelector(".product h4")).stream().map(WebElement::getText))
			.containsExactly("Image", "Video");
		assertThat(card.findElement(By.cssSelector(".product[data-product='video'] .amount")).getText())
			.startsWith("300 of 1,000 units");
		assertThat(card.findElement(By.cssSelector(".product[data-product='image'] .amount")).getText())
			.startsWith("40 of 500 units");
		assertThat(card.getText()).as("never the sum of both").doesNotContain("340", "1,500");
		WebElement image = this.browser.driver().findElement(By.cssSelector("#pools li.pool[data-provider='kling'][data-product='image']"));
		assertThat(image.findElement(By.tagName("h3")).getText()).startsWith("Kling API image");
		assertThat(image.findElement(By.cssSelector(".amount")).getText()).startsWith("40 of 500 units");
		assertThat(image.findElement(By.cssSelector(".accounts-count")).getText()).isEqualTo("1 account with image");
		assertThat(this.browser.consoleErrors()).isEmpty();
	}

	@Test
	void marksStaleFiguresAndSaysWhyAfterAnOutage() {
		primed();
		stubs.server().stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts/first@example.com"))
			.willReturn(aResponse().withStatus(503).withBody("<html>Service Unavailable</html>")));
		JsonNode stale = account(balances("?provider=useapi&refresh=true"), "useapi", UpstreamStubs.EMAIL_1);
		assertThat(stale.get("stale").asBoolean()).isTrue();
		assertThat(stale.get("error").get("code").asString()).isEqualTo("UPSTREAM_UNAVAILABLE");

		openPage();

		WebElement card = card("useapi", UpstreamStubs.EMAIL_1);
		assertThat(badges(card)).containsExactlyElementsOf(expectedBadges(stale)).contains("Error", "Stale", "Expires soon");
		String description = ErrorCode.UPSTREAM_UNAVAILABLE.description();
		assertThat(card.findElement(By.cssSelector(".cause")).getText())
			.matches("useapi\\.net could not be read (just now|\\d+ min ago): .*")
			.contains(": " + Character.toLowerCase(description.charAt(0)) + description.substring(1, description.length() - 1) + " (HTTP 503).")
			.endsWith("(HTTP 503). The figures shown are the last good ones.");
		assertThat(card.findElement(By.cssSelector(".cause time")).getDomAttribute("datetime"))
			.isEqualTo(stale.get("error").get("occurredAt").asString());
		assertThat(card.findElement(By.cssSelector(".amount")).getText()).startsWith("56,000 of 66,000 credits");
		assertThat(card.findElement(By.cssSelector(".bar-fill")).getDomAttribute("class")).contains("stale");
		assertThat(pageOrder().get(0)).as("errors first").isEqualTo("useapi/" + UpstreamStubs.EMAIL_1);
		WebElement pool = this.browser.driver().findElement(By.cssSelector("#pools li.pool[data-provider='useapi']"));
		assertThat(badges(pool)).contains("Stale");
		assertThat(this.browser.consoleErrors()).isEmpty();
	}

	@Test
	void drawsTheHistoryAndTheRunsOutDate() {
		primed();
		// first@example.com uses 10 credits per reading: the history has a trend and a forecast.
		for (long balance = 55_990; balance >= 55_960; balance -= 10) {
			stubs.server().stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts/first@example.com"))
				.willReturn(okJson(UpstreamStubs.useapiAccount(UpstreamStubs.EMAIL_1, balance))));
			balances("?provider=useapi&refresh=true");
		}
		JsonNode balances = balances("");
		JsonNode first = account(balances, "useapi", UpstreamStubs.EMAIL_1);
		String runsOutAt = first.get("forecast").get("runsOutAt").asString();
		assertThat(Instant.parse(runsOutAt)).as(first.toString()).isAfter(Instant.now());
		long readings = read("/balances/useapi/first@example.com/history").get("points")
			.valueStream()
			.filter((point) -> point.get("error").isNull() && point.get("remaining").isNumber())
			.count();
		assertThat(readings).isGreaterThanOrEqualTo(5);

		openPage();

		WebElement card = card("useapi", UpstreamStubs.EMAIL_1);
		WebElement chart = this.browser.await("the chart's readings", (driver) -> {
			WebElement figure = card.findElement(By.cssSelector("figure.chart"));
			return (figure.getDomAttribute("data-points") != null) ? figure : null;
		});
		assertThat(chart.getDomAttribute("data-points")).isEqualTo(String.valueOf(readings));
		assertThat(chart.findElement(By.tagName("figcaption")).getText())
			.startsWith("Remaining over the last ")
			.endsWith(": 56,000 credits → 55,960 credits (" + readings + " readings).");
		WebElement canvas = chart.findElement(By.cssSelector(".plot canvas"));
		assertThat(canvas.getSize().getWidth()).isGreaterThan(100);
		assertThat(seriesPixels(canvas)).as("pixels of the remaining line on the canvas").isGreaterThan(50);

		assertThat(card.findElement(By.cssSelector(".forecast time")).getDomAttribute("datetime")).isEqualTo(runsOutAt);
		assertThat(card.findElement(By.cssSelector(".forecast")).getText()).matches("Runs out in \\d+ (min|h) \\(.*\\) at about .* credits a day\\.");
		assertThat(badges(card)).contains("Runs out soon");
		WebElement pool = this.browser.driver().findElement(By.cssSelector("#pools li.pool[data-provider='useapi']"));
		assertThat(pool.findElement(By.cssSelector(".earliest-runs-out")).getText()).startsWith("First to run out: " + UpstreamStubs.EMAIL_1 + ", in ");
		assertThat(pool.findElement(By.cssSelector(".earliest-runs-out time")).getDomAttribute("datetime")).isEqualTo(runsOutAt);
		assertThat(pageOrder()).isEqualTo(urgencyOrder(balances));
		assertThat(this.browser.consoleErrors()).isEmpty();
	}

	@Test
	void waitsForMaxAgeThenChecksOnlyConditionallyAndNeverCallsAnUpstream() {
		primed();
		int upstreamCalls = stubs.server().getAllServeEvents().size();

		openPage();
		awaitCharts();
		assertThat(stubs.server().getAllServeEvents()).as("upstream calls for loading the page").hasSize(upstreamCalls);
		// Everything is fresh for an hour (max-age ≈ 3600): no check before that, though the interval is 1 s.
		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> balancesChecks().size() == 1);
		this.browser.driver().findElement(By.id("check-now")).click();
		Chromium.Exchange manual = awaitBalancesRequests(2).get(1);
		assertThat(manual.headers()).containsKey("if-none-match");
		assertThat(manual.status()).isEqualTo(304);
		assertThat(stubs.server().getAllServeEvents()).as("upstream calls while the page was open").hasSize(upstreamCalls);

		// Once something is stale (max-age=0) the page checks every interval, still conditionally.
		stubs.server().stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts/first@example.com"))
			.willReturn(aResponse().withStatus(503)));
		assertThat(account(balances("?provider=useapi&refresh=true"), "useapi", UpstreamStubs.EMAIL_1).get("stale").asBoolean()).isTrue();
		upstreamCalls = stubs.server().getAllServeEvents().size();
		this.browser.driver().findElement(By.id("check-now")).click();
		List<Chromium.Exchange> checks = awaitBalancesRequests(6);
		assertThat(checks.get(2).status()).as("the changed answer").isEqualTo(200);
		assertThat(checks.subList(3, 6)).allSatisfy((check) -> {
			assertThat(check.headers()).containsKey("if-none-match");
			assertThat(check.status()).isEqualTo(304);
		});
		assertThat(this.browser.requests("/balances/").stream().map(Chromium.Exchange::url).filter((url) -> url.contains("/kling/")))
			.as("histories of unchanged accounts are not fetched again")
			.hasSize(3);
		this.browser.driver().navigate().refresh();
		awaitAccounts();
		awaitCharts();
		assertThat(this.browser.requests("/balances/")).allSatisfy((exchange) -> {
			assertThat(exchange.path()).matches("/balances/(kling|useapi)/[^/]+/history\\?since=.*");
			assertThat(exchange.headers()).doesNotContainKeys("authorization", "x-api-key");
		});
		assertThat(stubs.server().getAllServeEvents()).as("upstream calls while the page was open and reloaded")
			.hasSize(upstreamCalls);
		assertThat(this.browser.consoleErrors()).isEmpty();
	}

	@Test
	void isAccessibleAndWorksWithTheKeyboardOnADesktopAndAPhone() throws Exception {
		JsonNode balances = primed();
		stubs.server().stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts/first@example.com"))
			.willReturn(aResponse().withStatus(503)));
		balances("?provider=useapi&refresh=true");

		openPage();
		awaitCharts();

		assertThat(this.browser.accessibilityViolations()).as("axe-core, desktop")
			.noneMatch((violation) -> List.of("serious", "critical").contains(violation.get("impact")));
		this.browser.screenshot("status-page-desktop.png");

		WebElement body = this.browser.driver().findElement(By.tagName("body"));
		body.sendKeys(Keys.TAB);
		WebElement skip = this.browser.driver().switchTo().activeElement();
		assertThat(skip.getText()).isEqualTo("Skip to the balances");
		assertThat(skip.isDisplayed()).isTrue();
		WebElement filter = this.browser.driver().findElement(By.id("provider-filter"));
		filter.sendKeys(Keys.ARROW_DOWN);
		this.browser.await("only the Kling API accounts", (driver) -> driver.findElements(By.cssSelector("#accounts li.account")).size() == 3);
		assertThat(this.browser.driver().findElements(By.cssSelector("#accounts li.account")))
			.allSatisfy((card) -> assertThat(card.getDomAttribute("data-provider")).isEqualTo("kling"));
		assertThat(this.browser.driver().findElements(By.cssSelector("#pools li.pool")))
			.allSatisfy((pool) -> assertThat(pool.getDomAttribute("data-provider")).isEqualTo("kling"))
			.hasSize((int) balances.get("totals").valueStream().filter((total) -> total.get("provider").asString().equals("kling")).count());
		filter.sendKeys(Keys.ARROW_UP);
		this.browser.await("every account again", (driver) -> driver.findElements(By.cssSelector("#accounts li.account")).size() == 5);

		this.browser.resize(390, 844);
		awaitCharts();
		assertThat((Boolean) this.browser.script("return document.documentElement.scrollWidth <= window.innerWidth"))
			.as("nothing wider than a phone").isTrue();
		assertThat(this.browser.accessibilityViolations()).as("axe-core, phone")
			.noneMatch((violation) -> List.of("serious", "critical").contains(violation.get("impact")));
		this.browser.screenshot("status-page-phone.png");
		assertThat(this.browser.consoleErrors()).isEmpty();
	}

	// ---- the page -----------------------------------------------------------------------------

	private void openPage() {
		this.browser.driver().get("http://127.0.0.1:" + this.port + "/");
		awaitAccounts();
	}

	private void awaitAccounts() {
		int accounts = balances("").get("accounts").size();
		this.browser.await(accounts + " account cards", (driver) -> driver.findElements(By.cssSelector("#accounts li.account")).size() == accounts);
	}

	private void awaitCharts() {
		this.browser.await("a chart drawn from the history of every account", (driver) -> driver.findElements(By.cssSelector("figure.chart"))
			.stream()
			.allMatch((figure) -> figure.getDomAttribute("data-points") != null && !figure.findElements(By.tagName("canvas")).isEmpty()));
	}

	/** The page's requests of GET /balances so far (never with refresh=true, which would call the upstreams). */
	private List<Chromium.Exchange> balancesChecks() {
		List<Chromium.Exchange> checks = this.browser.requests("/balances")
			.stream()
			.filter((exchange) -> exchange.path().matches("/balances(\\?.*)?"))
			.toList();
		assertThat(checks).allSatisfy((check) -> assertThat(check.path()).isEqualTo("/balances"));
		return checks;
	}

	private List<Chromium.Exchange> awaitBalancesRequests(int count) {
		return this.browser.await(count + " answered checks of /balances", (driver) -> {
			List<Chromium.Exchange> answered = balancesChecks().stream().filter((exchange) -> exchange.status() != 0).toList();
			return (answered.size() >= count) ? answered : null;
		});
	}

	private WebElement card(JsonNode account) {
		return card(account.get("provider").asString(), account.get("account").asString());
	}

	private WebElement card(String provider, String account) {
		return this.browser.driver()
			.findElement(By.cssSelector("#accounts li.account[data-provider='" + provider + "'][data-account='" + account + "']"));
	}

	private static List<String> badges(WebElement card) {
		return card.findElements(By.cssSelector(".badges .badge")).stream().map(WebElement::getText).toList();
	}

	private List<String> pageOrder() {
		return this.browser.driver()
			.findElements(By.cssSelector("#accounts li.account"))
			.stream()
			.map((card) -> card.getDomAttribute("data-provider") + "/" + card.getDomAttribute("data-account"))
			.toList();
	}

	/** Pixels painted in the colour of the remaining line (#1d4ed8), opaque. */
	private long seriesPixels(WebElement canvas) {
		return (Long) this.browser.script("""
				const canvas = arguments[0];
				const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
				let count = 0;
				for (let i = 0; i < data.length; i += 4) {
				  if (Math.abs(data[i] - 29) < 40 && Math.abs(data[i + 1] - 78) < 40 && Math.abs(data[i + 2] - 216) < 40
				      && data[i + 3] > 200) {
				    count++;
				  }
				}
				return count;""", canvas);
	}

	// ---- what the page should say, from /balances ----------------------------------------------

	private static String figures(JsonNode remaining, JsonNode total, String unit) {
		NumberFormat format = NumberFormat.getNumberInstance(Locale.US);
		format.setMaximumFractionDigits(1);
		format.setRoundingMode(RoundingMode.HALF_UP);
		return format.format(remaining.decimalValue()) + " of " + format.format(total.decimalValue()) + " " + unit;
	}

	private static List<String> expectedBadges(JsonNode account) {
		List<String> badges = new ArrayList<>();
		if (!account.get("error").isNull()) {
			badges.add("Error");
		}
		if (account.get("stale").asBoolean()) {
			badges.add("Stale");
		}
		if (!account.get("expiringSoon").isEmpty()) {
			badges.add("Expires soon");
		}
		if (firstRunOut(account).isBefore(Instant.now().plus(Duration.ofDays(14)))) {
			badges.add("Runs out soon");
		}
		return badges.isEmpty() ? List.of("OK") : badges;
	}

	/** The first run-out over the account's products (each has its own forecast). */
	private static Instant firstRunOut(JsonNode account) {
		return account.get("products")
			.valueStream()
			.map((product) -> product.get("forecast").get("runsOutAt"))
			.filter(JsonNode::isString)
			.map((runsOut) -> Instant.parse(runsOut.asString()))
			.min(Comparator.naturalOrder())
			.orElse(Instant.MAX);
	}

	/** The provider's accounts that hold the product. */
	private static long count(JsonNode balances, String provider, String product) {
		return balances.get("accounts")
			.valueStream()
			.filter((account) -> account.get("provider").asString().equals(provider))
			.filter((account) -> account.get("products").valueStream().anyMatch((held) -> held.get("product").asString().equals(product)))
			.count();
	}

	/** Errors first, then the soonest to run out, then by provider and name. */
	private static List<String> urgencyOrder(JsonNode balances) {
		Comparator<JsonNode> urgency = Comparator.comparing((JsonNode account) -> account.get("error").isNull())
			.thenComparing(StatusPageBrowserTest::firstRunOut)
			.thenComparing((account) -> account.get("provider").asString())
			.thenComparing((account) -> account.get("account").asString());
		return balances.get("accounts")
			.valueStream()
			.sorted(urgency)
			.map((account) -> account.get("provider").asString() + "/" + account.get("account").asString())
			.toList();
	}

	// ---- the API, as the test sees it -----------------------------------------------------------

	/** /balances once every account has been read (a cold cache answers PENDING at first). */
	private JsonNode primed() {
		return await().atMost(Duration.ofSeconds(30)).until(() -> balances(""),
				(balances) -> balances.get("accounts").size() == 5 && balances.get("accounts")
					.valueStream()
					.allMatch((account) -> account.get("error").isNull() && account.get("fetchedAt").isString()));
	}

	private JsonNode balances(String query) {
		return read("/balances" + query);
	}

	private static JsonNode account(JsonNode balances, String provider, String account) {
		return balances.get("accounts")
			.valueStream()
			.filter((node) -> node.get("provider").asString().equals(provider) && node.get("account").asString().equals(account))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no account " + provider + "/" + account + " in " + balances));
	}

	private JsonNode read(String path) {
		HttpResponse<String> response = new Http(this.port).get(path);
		assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

}
