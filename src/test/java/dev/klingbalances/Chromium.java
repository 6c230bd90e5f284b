package dev.klingbalances;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real browser for a test, registered with {@code @RegisterExtension}: headless Debian
 * Chromium driven by Selenium through /usr/bin/chromedriver, a fresh profile per test. No host
 * name resolves but 127.0.0.1, so a page cannot reach the internet. In CI ({@code CI=true}) a
 * missing browser fails the test; elsewhere it is skipped with a message. The console and
 * network logs are kept, so a test can read what the page logged and which requests it sent;
 * the locale is fixed (en-US) so figures read the same everywhere.
 */
public final class Chromium implements BeforeEachCallback, AfterEachCallback {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private static final Duration PATIENCE = Duration.ofSeconds(60);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ChromeDriverService service;

	private ChromeDriver driver;

	private Path profile;

	/** Every request the page sent, by Chromium's request id, in order. */
	private final Map<String, Exchange> exchanges = new LinkedHashMap<>();

	private final List<String> console = new ArrayList<>();

	@Override
	public void beforeEach(ExtensionContext context) throws IOException {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		if (!installed) {
			String message = "Chromium and chromedriver are needed at " + CHROMIUM + " and " + CHROMEDRIVER
					+ " (Debian: apt-get install chromium chromium-driver)";
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				fail(message + "; CI must have them (.ci/run installs them)");
			}
			Assumptions.abort(message + "; skipped outside CI");
		}
		// Never let Selenium Manager look for (or download) a driver or a browser.
		System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
		this.profile = Files.createTempDirectory("browser-test");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--disable-extensions", "--window-size=1280,2000", "--lang=en-US", "--user-data-dir=" + this.profile,
				"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1");
		LoggingPreferences logs = new LoggingPreferences();
		logs.enable(LogType.BROWSER, Level.ALL);
		logs.enable(LogType.PERFORMANCE, Level.ALL);
		options.setCapability("goog:loggingPrefs", logs);
		this.service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		this.driver = new ChromeDriver(this.service, options);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (this.driver != null) {
			this.driver.quit();
		}
		if (this.service != null) {
			this.service.stop();
		}
		if (this.profile != null) {
			FileSystemUtils.deleteRecursively(this.profile.toFile());
		}
	}

	public WebDriver driver() {
		return this.driver;
	}

	public <T> T await(Function<WebDriver, T> condition) {
		return await("a condition", condition);
	}

	/**
	 * Waits until the condition holds (a non-null, non-false answer); {@code what} says what was
	 * awaited when it never does. Elements the page replaced meanwhile are looked up again.
	 */
	public <T> T await(String what, Function<WebDriver, T> condition) {
		return new WebDriverWait(this.driver, PATIENCE).withMessage(what)
			.ignoring(StaleElementReferenceException.class)
			.until(condition::apply);
	}

	public Object script(String script, Object... arguments) {
		return ((JavascriptExecutor) this.driver).executeScript(script, arguments);
	}

	public void resize(int width, int height) {
		this.driver.manage().window().setSize(new Dimension(width, height));
	}

	/** What the page wrote to the console at level SEVERE (errors, failed loads, CSP violations) so far. */
	public List<String> consoleErrors() {
		for (LogEntry entry : this.driver.manage().logs().get(LogType.BROWSER)) {
			if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
				this.console.add(entry.getMessage());
			}
		}
		return List.copyOf(this.console);
	}

	/** Every request the page sent so far whose path starts with this, with the status it got. */
	public List<Exchange> requests(String pathPrefix) {
		for (LogEntry entry : this.driver.manage().logs().get(LogType.PERFORMANCE)) {
			JsonNode message = JSON.readTree(entry.getMessage()).path("message");
			JsonNode params = message.path("params");
			String id = params.path("requestId").asString("");
			switch (message.path("method").asString("")) {
				case "Network.requestWillBeSent" -> {
					Map<String, String> headers = new LinkedHashMap<>();
					params.path("request").path("headers").properties()
						.forEach((header) -> headers.put(header.getKey().toLowerCase(), header.getValue().asString("")));
					this.exchanges.put(id, new Exchange(params.path("request").path("url").asString(""), headers, 0));
				}
				case "Network.responseReceived" -> this.exchanges.computeIfPresent(id, (key, exchange) ->
						new Exchange(exchange.url(), exchange.headers(), params.path("response").path("status").asInt()));
				default -> {
				}
			}
		}
		return this.exchanges.values()
			.stream()
			.filter((exchange) -> exchange.path().startsWith(pathPrefix))
			.toList();
	}

	/** Saves a screenshot of the viewport under target/. */
	public Path screenshot(String name) throws IOException {
		File shot = ((TakesScreenshot) this.driver).getScreenshotAs(OutputType.FILE);
		Path target = Path.of("target", name);
		Files.createDirectories(target.getParent());
		Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
		assertThat(Files.size(target)).as(target + " holds a picture").isGreaterThan(10_000);
		return target;
	}

	/** Runs axe-core (the script shipped in Deque's axe-core Selenium artifact) on the page as it is now. */
	@SuppressWarnings("unchecked")
	public List<Map<String, Object>> accessibilityViolations() throws IOException {
		try (var axe = Chromium.class.getResourceAsStream("/axe.min.js")) {
			assertThat(axe).as("axe.min.js on the test classpath (com.deque.html.axe-core:selenium)").isNotNull();
			script(new String(axe.readAllBytes(), StandardCharsets.UTF_8));
		}
		Object result = ((JavascriptExecutor) this.driver).executeAsyncScript("""
				const done = arguments[arguments.length - 1];
				axe.run(document, { runOnly: { type: 'tag',
						values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
					.then((results) => done(results.violations.map((violation) => ({ id: violation.id,
						impact: violation.impact, help: violation.help,
						nodes: violation.nodes.map((node) => node.target.join(' ') + ': ' + node.failureSummary) }))))
					.catch((error) => done([{ id: 'axe-failed', impact: 'critical', help: String(error), nodes: [] }]));
				""");
		return (List<Map<String, Object>>) result;
	}

	/** One request of the page: where it went, the headers it carried (names in lower case) and the status it got (0 while none). */
	public record Exchange(String url, Map<String, String> headers, int status) {

		public String path() {
			int start = this.url.indexOf('/', this.url.indexOf("//") + 2);
			return (start < 0) ? "/" : this.url.substring(start);
		}

	}

}
