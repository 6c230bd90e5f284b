package dev.klingbalances.metrics;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo profile's gauges equal its answer of {@code /balances}. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "balances.metrics.update-interval=100ms", "balances.alerts.low-balance.credits=5000" })
@ActiveProfiles("demo")
class DemoMetricsTest {

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@DynamicPropertySource
	static void demoPort(DynamicPropertyRegistry registry) throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			int port = socket.getLocalPort();
			registry.add("balances.demo.port", () -> port);
		}
	}

	private static BigDecimal threshold(JsonNode account) {
		// credits from this test's property, units from the demo profile
		return account.get("unit").asString().equals("credits") ? new BigDecimal("5000") : new BigDecimal("500");
	}

	@Test
	void gaugesEqualTheDemoAnswer() throws Exception {
		RunningApp app = new RunningApp(this.port, this.json);
		app.balances("");

		Map<Scrape.Series, BigDecimal> gauges = app.awaitGaugesInStep(DemoMetricsTest::threshold);

		// One series per account and product (the gauges equal the answer's products[], checked above).
		assertThat(gauges.keySet()).filteredOn((series) -> series.name().equals("balances_remaining"))
			.filteredOn((series) -> series.labels().get("provider").equals("useapi"))
			.extracting((series) -> series.labels().get("product"))
			.containsExactly("credits", "credits");
		assertThat(gauges.keySet()).filteredOn((series) -> series.name().equals("balances_remaining"))
			.filteredOn((series) -> series.labels().get("provider").equals("kling"))
			.extracting((series) -> series.labels().get("product"))
			.isNotEmpty()
			.allMatch((product) -> List.of("video", "image", "other").contains(product));
		assertThat(gauges.keySet()).anyMatch((series) -> series.name().equals("balances_session_expiry_timestamp_seconds"));
		assertThat(gauges.keySet()).filteredOn((series) -> series.name().equals("balances_low_balance_threshold"))
			.hasSize(4);
	}

}
