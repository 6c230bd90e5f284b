package dev.klingbalances.web;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.klingbalances.contract.ConsumerApiTest;
import dev.klingbalances.contract.Http;
import dev.klingbalances.contract.TestKeys;
import dev.klingbalances.fastpath.WithoutFastPath;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletContext;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanExpressionContext;
import org.springframework.beans.factory.config.BeanExpressionResolver;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The full chain (fast path off, so every request passes Spring Security and Spring MVC) does no
 * expression evaluation and looks up no class by name for the API's requests: Spring MVC's
 * {@code @RequestParam} resolution evaluated each parameter's name and default value, and the
 * actuator's request matchers looked up a class on every request they were asked about
 * (docs/performance.md). Counted where they happen: the bean factory's expression resolver, and
 * the thread's context class loader that {@code ClassUtils.isPresent} uses. Health's additional
 * paths are on, so one rule that still looks a class up is there to be seen.
 */
@ConsumerApiTest
@WithoutFastPath
@TestPropertySource(properties = "management.endpoint.health.probes.add-additional-paths=true")
@Import(NoPerRequestLookupsTest.CountingExpressions.class)
class NoPerRequestLookupsTest {

	private static final List<String> API_REQUESTS = List.of("/balances", "/balances?refresh=false",
			"/balances?provider=alpha&product=video", "/balances/alpha/team-a", "/balances/alpha/team-a?refresh=false",
			"/balances/next?product=video&need=1", "/balances/alpha/team-a/history", "/balances?refresh=maybe");

	@LocalServerPort
	int port;

	@Autowired
	CountingExpressionsHolder expressions;

	@Autowired
	ServletWebServerApplicationContext context;

	@Autowired
	@Qualifier("springSecurityFilterChain")
	Filter securityFilterChain;

	@Test
	void requestParametersAreReadWithoutExpressions() {
		Http http = new Http(this.port);
		API_REQUESTS.forEach((path) -> http.get(path, "X-API-Key", TestKeys.ALICE));
		this.expressions.values.clear();

		for (String path : API_REQUESTS) {
			assertThat(http.get(path, "X-API-Key", TestKeys.ALICE).statusCode()).as(path).isLessThan(500);
		}

		assertThat(this.expressions.values).isEmpty();
	}

	@Test
	void theSecurityChainLooksUpNoClassForTheApiOrTheOtherPaths() throws Exception {
		for (String path : List.of("/balances", "/balances/alpha/team-a", "/balances/next", "/status",
				"/v3/api-docs", "/actuator/health", "/actuator/prometheus", "/nothing-here")) {
			assertThat(classesLookedUp(path)).as(path).isEmpty();
		}
		// The probe sees a lookup where one is left: health's additional path, asked about
		// by its EndpointRequest matcher (which decides whether it is on the right server).
		assertThat(classesLookedUp("/livez")).isNotEmpty();
	}

	private List<String> classesLookedUp(String path) throws Exception {
		return classesLookedUp(this.securityFilterChain, this.context.getServletContext(), path);
	}

	/**
	 * Runs the request, as received by the server of that servlet context, through the security
	 * filter chain on this thread, with a fresh counting context class loader.
	 */
	static List<String> classesLookedUp(Filter securityFilterChain, ServletContext servletContext, String path)
			throws Exception {
		CountingClassLoader loader = new CountingClassLoader(NoPerRequestLookupsTest.class.getClassLoader());
		MockHttpServletRequest request = new MockHttpServletRequest(servletContext, "GET", path);
		request.addHeader("X-API-Key", TestKeys.ALICE);
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		thread.setContextClassLoader(loader);
		try {
			securityFilterChain.doFilter(request, new MockHttpServletResponse(), (rq, rs) -> {
			});
		}
		finally {
			thread.setContextClassLoader(previous);
		}
		return loader.names;
	}

	static final class CountingClassLoader extends ClassLoader {

		final List<String> names = new CopyOnWriteArrayList<>();

		CountingClassLoader(ClassLoader parent) {
			super(parent);
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			this.names.add(name);
			return super.loadClass(name, resolve);
		}

	}

	/** Wraps the bean factory's expression resolver to record evaluations on request threads. */
	@TestConfiguration(proxyBeanMethods = false)
	static class CountingExpressions {

		@Bean
		static BeanFactoryPostProcessor countingExpressionResolver(CountingExpressionsHolder holder) {
			return (beanFactory) -> {
				BeanExpressionResolver resolver = beanFactory.getBeanExpressionResolver();
				beanFactory.setBeanExpressionResolver(new BeanExpressionResolver() {
					@Override
					public Object evaluate(String value, BeanExpressionContext context) {
						if (Thread.currentThread().getName().startsWith("http-nio")) {
							holder.values.add(value);
						}
						return (resolver != null) ? resolver.evaluate(value, context) : value;
					}
				});
			};
		}

		@Bean
		static CountingExpressionsHolder countingExpressionsHolder() {
			return new CountingExpressionsHolder();
		}

	}

	/** The expressions evaluated on request threads. */
	static final class CountingExpressionsHolder {

		final List<String> values = new CopyOnWriteArrayList<>();

	}

}
