package dev.klingbalances.web;

import java.util.List;

import dev.klingbalances.contract.ConsumerApiTest;
import dev.klingbalances.contract.ServerServletContexts;
import dev.klingbalances.fastpath.WithoutFastPath;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletContext;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * As {@link NoPerRequestLookupsTest}, with the actuator on a separate management port (the Helm
 * chart's setting): Boot's actuator request matchers then ask, on every request, whether the
 * request arrived at the management server, which looks up a class by name. Requests of both
 * servers (probes and scrapes on the management port, the status page and the API on the API
 * port) are run through the security chain as their server hands them over, with its servlet
 * context.
 */
@ConsumerApiTest
@WithoutFastPath
@TestPropertySource(properties = { "management.server.port=0",
		"management.endpoints.web.exposure.include=health,info,prometheus,caches" })
@Import(ServerServletContexts.class)
class NoPerRequestLookupsOnManagementPortTest {

	private static final List<String> MANAGEMENT_REQUESTS = List.of("/actuator/health", "/actuator/health/liveness",
			"/actuator/health/readiness", "/actuator/prometheus", "/actuator/info", "/actuator", "/balances");

	private static final List<String> API_REQUESTS = List.of("/status", "/balances", "/balances/alpha/team-a",
			"/v3/api-docs", "/actuator/health", "/nothing-here");

	@Autowired
	ServerServletContexts servers;

	@Autowired
	@Qualifier("springSecurityFilterChain")
	Filter securityFilterChain;

	@Test
	void theSecurityChainLooksUpNoClassOnEitherPort() throws Exception {
		ServletContext management = this.servers.byNamespace().get("management");
		ServletContext api = this.servers.byNamespace().get("server");
		assertThat(management).isNotNull().isNotSameAs(api);
		// Once first: what a first request sets up (a logger, a matcher per context) is not per request.
		for (String path : MANAGEMENT_REQUESTS) {
			NoPerRequestLookupsTest.classesLookedUp(this.securityFilterChain, management, path);
		}
		for (String path : API_REQUESTS) {
			NoPerRequestLookupsTest.classesLookedUp(this.securityFilterChain, api, path);
		}

		for (String path : MANAGEMENT_REQUESTS) {
			assertThat(NoPerRequestLookupsTest.classesLookedUp(this.securityFilterChain, management, path))
				.as("management port " + path)
				.isEmpty();
		}
		for (String path : API_REQUESTS) {
			assertThat(NoPerRequestLookupsTest.classesLookedUp(this.securityFilterChain, api, path))
				.as("API port " + path)
				.isEmpty();
		}
	}

}
