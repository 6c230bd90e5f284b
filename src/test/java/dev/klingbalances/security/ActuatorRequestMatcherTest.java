package dev.klingbalances.security;

import java.util.List;
import java.util.Map;

import dev.klingbalances.contract.ConsumerApiTest;
import dev.klingbalances.contract.ServerServletContexts;
import dev.klingbalances.fastpath.WithoutFastPath;
import jakarta.servlet.ServletContext;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ActuatorRequestMatcher} answers as {@link EndpointRequest} does, on a separate
 * management port, for requests of either server: the actuator's paths only on the management
 * server, the API port's never (the same-port case is covered by the access tests, which run
 * with the actuator on the API port). The same application as
 * {@code web.NoPerRequestLookupsOnManagementPortTest}, for one context between them.
 */
@ConsumerApiTest
@WithoutFastPath
@TestPropertySource(properties = { "management.server.port=0",
		"management.endpoints.web.exposure.include=health,info,prometheus,caches" })
@Import(ServerServletContexts.class)
class ActuatorRequestMatcherTest {

	private static final List<String> PATHS = List.of("/actuator", "/actuator/", "/actuator/health",
			"/actuator/health/liveness", "/actuator/health/readiness/x", "/actuator/prometheus", "/actuator/info",
			"/actuator/caches", "/actuator/caches/balances", "/actuator/env", "/actuator/healthy", "/", "/status",
			"/balances", "/health", "/prometheus", "/nothing-here");

	@Autowired
	ServerServletContexts servers;

	@Test
	void answersAsEndpointRequestOnEitherServer() {
		ManagementPortType different = ManagementPortType.DIFFERENT;
		Map<String, RequestMatcher[]> pairs = Map.of(
				"health", new RequestMatcher[] { EndpointRequest.to("health"), ActuatorRequestMatcher.to(different, "health") },
				"prometheus", new RequestMatcher[] { EndpointRequest.to("prometheus"),
						ActuatorRequestMatcher.to(different, "prometheus") },
				"info", new RequestMatcher[] { EndpointRequest.to("info"), ActuatorRequestMatcher.to(different, "info") },
				"links", new RequestMatcher[] { EndpointRequest.toLinks(), ActuatorRequestMatcher.toLinks(different) },
				"any", new RequestMatcher[] { EndpointRequest.toAnyEndpoint(),
						ActuatorRequestMatcher.toAnyEndpoint(different) });
		assertThat(this.servers.byNamespace()).containsKeys("server", "management");
		int matched = 0;
		for (Map.Entry<String, ServletContext> server : this.servers.byNamespace().entrySet()) {
			for (String path : PATHS) {
				for (String method : List.of("GET", "POST")) {
					for (Map.Entry<String, RequestMatcher[]> pair : pairs.entrySet()) {
						MockHttpServletRequest request = new MockHttpServletRequest(server.getValue(), method, path);
						boolean expected = pair.getValue()[0].matches(request);
						assertThat(pair.getValue()[1].matches(request))
							.as("%s %s %s on %s", pair.getKey(), method, path, server.getKey())
							.isEqualTo(expected);
						matched += expected ? 1 : 0;
					}
				}
			}
		}
		// Not all false: the management server's actuator paths did match.
		assertThat(matched).isPositive();
	}

}
