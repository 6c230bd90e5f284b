package dev.klingbalances.status;

import java.io.IOException;
import java.util.List;

import dev.klingbalances.Chromium;
import dev.klingbalances.contract.ConsumerApiTest;
import dev.klingbalances.contract.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status page in a real browser when consumer keys are configured (the {@link ConsumerApiTest}
 * app with its fake providers): it shows nothing but a key prompt until a key is entered, asks
 * for no figures without one, says clearly when a key is refused, sends the key in a header only
 * and remembers it for the browser session.
 */
@ConsumerApiTest
class StatusPageKeyBrowserTest {

	@LocalServerPort
	int port;

	@RegisterExtension
	final Chromium browser = new Chromium();

	@Test
	void asksForAKeyAndShowsNoFiguresWithoutOne() throws IOException {
		WebElement prompt = openPrompt();

		assertThat(prompt.findElement(By.tagName("h2")).getText()).isEqualTo("A consumer key is needed");
		assertThat(this.browser.driver().findElement(By.cssSelector("label[for='key-input']")).getText())
			.isEqualTo("Consumer API key");
		assertThat(this.browser.driver().switchTo().activeElement().getDomAttribute("id")).as("focus").isEqualTo("key-input");
		assertNoFigures();
		assertThat(this.browser.requests("/balances")).as("nothing asked for without a key").isEmpty();
		assertThat(this.browser.accessibilityViolations()).as("axe-core, key prompt")
			.noneMatch((violation) -> List.of("serious", "critical").contains(violation.get("impact")));
		this.browser.screenshot("status-page-key-prompt.png");
		assertThat(this.browser.consoleErrors()).isEmpty();
	}

	@Test
	void refusesAWrongKeyWithAClearMessageAndShowsNothing() {
		openPrompt();

		enterKey("kb-not-a-key-of-this-service");

		WebElement message = this.browser.await("a message about the refused key", (driver) -> {
			WebElement error = driver.findElement(By.id("key-error"));
			return error.getText().isEmpty() ? null : error;
		});
		assertThat(message.getText())
			.isEqualTo("That key was not accepted. The API key is not valid. Check it and enter it again.");
		assertThat(message.getDomAttribute("role")).isEqualTo("alert");
		assertThat(this.browser.driver().findElement(By.id("key-prompt")).isDisplayed()).isTrue();
		assertNoFigures();
		assertThat(this.browser.script("return sessionStorage.length")).as("a refused key is not kept").isEqualTo(0L);
		List<Chromium.Exchange> requests = this.browser.requests("/balances");
		assertThat(requests).singleElement().satisfies((request) -> {
			assertThat(request.status()).isEqualTo(401);
			assertThat(request.headers()).containsEntry("x-api-key", "kb-not-a-key-of-this-service");
			assertThat(request.url()).doesNotContain("kb-not-a-key");
		});
		assertThat(this.browser.consoleErrors()).as("the refused request, nothing else")
			.singleElement()
			.asString()
			.contains("/balances", "401");
	}

	@Test
	void showsTheFiguresWithAValidKeyAndAsksOncePerSession() {
		openPrompt();

		enterKey(TestKeys.ALICE);

		awaitAccounts();
		assertThat(this.browser.driver().findElement(By.id("key-prompt")).isDisplayed()).isFalse();
		assertThat(card("alpha", "team-a").findElement(By.cssSelector(".amount")).getText()).startsWith("118 of 200 units");
		assertThat(card("beta", "alice@example.com").findElement(By.cssSelector(".amount")).getText())
			.startsWith("420 of 660 credits");
		WebElement arrears = card("alpha", "team-b");
		assertThat(arrears.findElements(By.cssSelector(".badge")).stream().map(WebElement::getText)).contains("Error");
		assertThat(arrears.findElement(By.cssSelector(".cause")).getText())
			.contains("could not be read")
			.contains(": the account is in arrears (HTTP 429). There are no figures to show.");
		assertThat(this.browser.driver().findElement(By.cssSelector("#pools li.pool[data-provider='broken'] .cause")).getText())
			.startsWith("The list of broken accounts could not be read");
		assertThat(this.browser.requests("/balances")).isNotEmpty().allSatisfy((request) -> {
			assertThat(request.headers()).containsEntry("x-api-key", TestKeys.ALICE);
			assertThat(request.url()).doesNotContain(TestKeys.ALICE);
		});

		this.browser.driver().navigate().refresh();
		awaitAccounts();
		assertThat(this.browser.driver().findElement(By.id("key-prompt")).isDisplayed()).as("asked once per session").isFalse();

		this.browser.driver().findElement(By.id("forget-key")).click();
		this.browser.await("the key prompt", (driver) -> driver.findElement(By.id("key-prompt")).isDisplayed());
		assertNoFigures();
		assertThat(this.browser.script("return sessionStorage.length")).isEqualTo(0L);
		assertThat(this.browser.consoleErrors()).isEmpty();
	}

	private WebElement openPrompt() {
		this.browser.driver().get("http://127.0.0.1:" + this.port + "/");
		return this.browser.await("the key prompt", (driver) -> {
			WebElement prompt = driver.findElement(By.id("key-prompt"));
			return prompt.isDisplayed() ? prompt : null;
		});
	}

	private void enterKey(String key) {
		this.browser.driver().findElement(By.id("key-input")).sendKeys(key);
		this.browser.driver().findElement(By.cssSelector("#key-form button[type='submit']")).click();
	}

	private void awaitAccounts() {
		this.browser.await("5 account cards", (driver) -> driver.findElements(By.cssSelector("#accounts li.account")).size() == 5);
	}

	private void assertNoFigures() {
		assertThat(this.browser.driver().findElement(By.id("dashboard")).isDisplayed()).isFalse();
		assertThat(this.browser.driver().findElements(By.cssSelector("#accounts li, #pools li"))).isEmpty();
		assertThat(this.browser.driver().findElement(By.tagName("main")).getText()).doesNotContainPattern("\\d+ of \\d+");
	}

	private WebElement card(String provider, String account) {
		return this.browser.driver()
			.findElement(By.cssSelector("#accounts li.account[data-provider='" + provider + "'][data-account='" + account + "']"));
	}

}
