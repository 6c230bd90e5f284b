package dev.klingbalances.web;

import java.io.IOException;
import java.util.List;

import dev.klingbalances.Chromium;
import dev.klingbalances.contract.ConsumerApiTest;
import dev.klingbalances.contract.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real browser ({@link Chromium}: headless Debian Chromium, skipped without it outside CI)
 * uses Swagger UI as a consumer would: Authorize with a key, Try it out on GET /balances,
 * Execute, and see the accounts; without a key, see the 401. Screenshots go to target/.
 */
@ConsumerApiTest
class SwaggerUiBrowserTest {

	@LocalServerPort
	int port;

	@RegisterExtension
	final Chromium browser = new Chromium();

	@Test
	void authorizedTryItOutOnBalancesShowsTheAccounts() throws IOException {
		openSwaggerUi();
		authorizeWithBearerKey(TestKeys.BROWSER);

		WebElement response = tryItOutAndExecute();

		assertThat(response.findElement(By.cssSelector(".response-col_status")).getText()).startsWith("200");
		String body = response.findElement(By.cssSelector(".response-col_description")).getText();
		assertThat(body).contains("\"accounts\"").contains("team-a").contains("alice@example.com");
		String curl = this.browser.driver().findElement(By.cssSelector(".curl-command")).getText();
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
		this.browser.driver().get("http://127.0.0.1:" + this.port + "/swagger-ui/index.html");
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
		this.browser.script("arguments[0].scrollIntoView({block: 'center'});", element);
		element.click();
	}

	private <T> T wait(ExpectedCondition<T> condition) {
		return this.browser.await(condition::apply);
	}

	/** Saves the page, scrolled so the executed request and its response are in view. */
	private void screenshot(WebElement response, String name) throws IOException {
		this.browser.script("arguments[0].scrollIntoView({block: 'end'});",
				this.browser.driver().findElement(By.cssSelector("#operations-Balances-listBalances .curl-command")));
		this.browser.screenshot(name);
		assertThat(List.of(response.isDisplayed())).containsExactly(true);
	}

}
