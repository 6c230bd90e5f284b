package dev.klingbalances.web;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import dev.klingbalances.contract.ConsumerApiTest;
import dev.klingbalances.contract.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real browser (headless Debian Chromium driven by Selenium through /usr/bin/chromedriver)
 * uses Swagger UI as a consumer would: Authorize with a key, Try it out on GET /balances,
 * Execute, and see the accounts; without a key, see the 401. Screenshots go to target/. In CI
 * ({@code CI=true}) a missing browser fails the test; elsewhere it is skipped with a message.
 * The browser resolves no host name but 127.0.0.1, so the page cannot reach the internet.
 */
@ConsumerApiTest
class SwaggerUiBrowserTest {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private static final Duration PATIENCE = Duration.ofSeconds(60);

	@LocalServerPort
	int port;

	private ChromeDriverService service;

	private WebDriver browser;

	private Path profile;

	@BeforeEach
	void startBrowser() throws IOException {
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
		this.profile = Files.createTempDirectory("swagger-ui-browser-test");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--disable-extensions", "--window-size=1280,2000", "--user-data-dir=" + this.profile,
				"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1");
		this.service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		this.browser = new ChromeDriver(this.service, options);
	}

	@AfterEach
	void stopBrowser() throws IOException {
		if (this.browser != null) {
			this.browser.quit();
		}
		if (this.service != null) {
			this.service.stop();
		}
		if (this.profile != null) {
			org.springframework.util.FileSystemUtils.deleteRecursively(this.profile);
		}
	}

	@Test
	void authorizedTryItOutOnBalancesShowsTheAccounts() throws IOException {
		openSwaggerUi();
		authorizeWithBearerKey(TestKeys.BROWSER);

		WebElement response = tryItOutAndExecute();

		assertThat(response.findElement(By.cssSelector(".response-col_status")).getText()).startsWith("200");
		String body = response.findElement(By.cssSelector(".response-col_description")).getText();
		assertThat(body).contains("\"accounts\"").contains("team-a").contains("alice@example.com");
		String curl = this.browser.findElement(By.cssSelector(".curl-command")).getText();
		assertThat(curl).contains("Authorization: Bearer");
		screenshot(response, "swagger-ui-authorized.png");
	}

	@Test
	void tryItOutWithoutAKeyShowsThe401() throws IOException {
		openSwaggerUi();

		WebElement response = tryItOutAndExecute();

		assertThat(response.findElement(By.cssSelector(".response-col_status")).getText()).startsWith("401");
		assertThat(response.findElement(By.cssSelector(".response-col_description")).getText())
			.contains("UNAUTHORIZED");
		screenshot(response, "swagger-ui-unauthorized.png");
	}

	private void openSwaggerUi() {
		this.browser.get("http://127.0.0.1:" + this.port + "/swagger-ui/index.html");
		wait(ExpectedConditions.visibilityOfElementLocated(By.id("operations-Balances-listBalances")));
	}

	private void authorizeWithBearerKey(String key) {
		click(By.cssSelector(".auth-wrapper button.authorize"));
		WebElement dialog = wait(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".dialog-ux .modal-ux")));
		WebElement bearer = dialog.findElements(By.cssSelector(".auth-container"))
			.stream()
			.filter((container) -> container.getText().contains("bearerKey"))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No bearerKey scheme in the Authorize dialog: " + dialog.getText()));
		bearer.findElement(By.cssSelector("input")).sendKeys(key);
		bearer.findElement(By.cssSelector("button.authorize")).click();
		wait(ExpectedConditions.textToBePresentInElement(bearer, "Authorized"));
		click(By.cssSelector(".dialog-ux button.btn-done"));
		wait(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(".dialog-ux .modal-ux")));
	}

	/** Opens GET /balances, presses Try it out and Execute, and returns the live response row. */
	private WebElement tryItOutAndExecute() {
		By operation = By.id("operations-Balances-listBalances");
		click(new By.ByCssSelector("#operations-Balances-listBalances .opblock-summary"));
		click(By.cssSelector("#operations-Balances-listBalances button.try-out__btn"));
		click(By.cssSelector("#operations-Balances-listBalances button.execute"));
		return wait(ExpectedConditions.visibilityOfNestedElementsLocatedBy(operation,
				By.cssSelector(".live-responses-table .response")))
			.get(0);
	}

	private void click(By locator) {
		WebElement element = wait(ExpectedConditions.elementToBeClickable(locator));
		((JavascriptExecutor) this.browser).executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
		element.click();
	}

	private <T> T wait(org.openqa.selenium.support.ui.ExpectedCondition<T> condition) {
		return new WebDriverWait(this.browser, PATIENCE).until(condition);
	}

	/** Saves the page, scrolled so the executed request and its response are in view. */
	private void screenshot(WebElement response, String name) throws IOException {
		((JavascriptExecutor) this.browser).executeScript("arguments[0].scrollIntoView({block: 'end'});",
				this.browser.findElement(By.cssSelector("#operations-Balances-listBalances .curl-command")));
		File shot = ((TakesScreenshot) this.browser).getScreenshotAs(OutputType.FILE);
		Path target = Path.of("target", name);
		Files.createDirectories(target.getParent());
		Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
		assertThat(Files.size(target)).isGreaterThan(10_000);
		assertThat(List.of(response.isDisplayed())).containsExactly(true);
	}

}
