package dev.klingbalances.status;

import java.io.IOException;

import dev.klingbalances.Chromium;
import dev.klingbalances.demo.CompressedDemo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo opens on the status page: its accounts, their trends and a warning appear on their
 * own, with nobody but the page asking. The demo's minutes are compressed ({@link CompressedDemo}),
 * as for {@code demo/DemoForecastTest}, which shares this application context.
 */
class StatusPageDemoBrowserTest extends CompressedDemo {

	@RegisterExtension
	final Chromium browser = new Chromium();

	@Test
	void showsTheDemoAccountsTheirTrendsAndAWarning() throws IOException {
		this.browser.driver().get("http://127.0.0.1:" + this.port + "/");

		this.browser.await("the four demo accounts", (driver) -> driver.findElements(By.cssSelector("#accounts li.account")).size() == 4);
		assertThat(this.browser.driver().findElement(By.id("key-prompt")).isDisplayed()).as("the demo is open").isFalse();
		this.browser.await("a warning about studio-backup's pack", (driver) -> card(driver, "studio-backup")
			.findElements(By.cssSelector(".warnings .grant"))
			.stream()
			.anyMatch((warning) -> warning.getText().contains("expires in")));
		// A forecast per product: one of studio-main's products runs out at its rate.
		this.browser.await("a trend and a forecast for studio-main", (driver) -> {
			WebElement card = card(driver, "studio-main");
			String readings = card.findElement(By.cssSelector("figure.chart")).getDomAttribute("data-points");
			return readings != null && Integer.parseInt(readings) >= 3 && !card.findElements(By.cssSelector(".plot canvas")).isEmpty()
					&& card.findElements(By.cssSelector(".product .forecast"))
						.stream()
						.anyMatch((forecast) -> forecast.getText().startsWith("Runs out"));
		});
		this.browser.screenshot("status-page-demo.png");
		assertThat(this.browser.consoleErrors()).isEmpty();
	}

	private static WebElement card(WebDriver driver, String account) {
		return driver.findElement(By.cssSelector("#accounts li.account[data-account='" + account + "']"));
	}

}
