package dev.klingbalances.security;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.server.observation.ServerRequestObservationConvention;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Access control. {@code /balances} needs a consumer's API key (unless
 * {@code balances.security.mode=none}) and is rate-limited per consumer (across the replicas
 * with the Redis store, per replica otherwise); health probes, the
 * OpenAPI document, Swagger UI and the status page (its HTML and assets, never its figures)
 * are open; Prometheus, info and any other exposed actuator endpoint are as configured (by
 * default Prometheus and info need a key on the API port, and are open on a separate management
 * port); the actuator is read-only. Stateless: no session, no cookie, so no CSRF.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(SecurityConfiguration.class);

	private static final RequestMatcher BALANCES = new OrRequestMatcher(
			PathPatternRequestMatcher.withDefaults().matcher("/balances"),
			PathPatternRequestMatcher.withDefaults().matcher("/balances/**"));

	/** Also keeps Boot from creating a default user with a generated password. */
	@Bean
	ApiKeyAuthenticationProvider apiKeyAuthenticationProvider(SecurityProperties properties) {
		return new ApiKeyAuthenticationProvider(properties.apiKeys());
	}

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, SecurityProperties properties,
			ApiKeyAuthenticationProvider provider, RateLimiterRegistry rateLimiters, Environment environment,
			ObjectProvider<SharedConsumerBudget> sharedBudget, MeterRegistry meterRegistry,
			ObjectProvider<PathMappedEndpoints> pathMappedEndpoints) {
		PathMappedEndpoints endpoints = pathMappedEndpoints.getIfAvailable();
		rateLimiters.getConfiguration(properties.rateLimitConfig())
			.orElseThrow(() -> new IllegalStateException(SecurityProperties.PREFIX + ".rate-limit-config is '"
					+ properties.rateLimitConfig() + "', but resilience4j.ratelimiter.configs has no entry of that name"));
		boolean open = properties.mode() == SecurityProperties.Mode.NONE;
		// On the API port Prometheus and info would hand every account's figures to any caller.
		ManagementPortType portType = ManagementPortType.get(environment);
		boolean sharesApiPort = portType != ManagementPortType.DIFFERENT;
		SecurityProperties.Access prometheus = properties.actuator().prometheus(sharesApiPort);
		SecurityProperties.Access info = properties.actuator().info(sharesApiPort);
		announce(properties, provider);
		if (!open) {
			logger.info("/actuator/prometheus: {}, /actuator/info: {} ({})", prometheus, info,
					sharesApiPort ? "on the API port" : "on the management port");
		}
		ProblemResponses problems = new ProblemResponses(!open);
		http.csrf((csrf) -> csrf.disable())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable())
			.logout((logout) -> logout.disable())
			.formLogin((form) -> form.disable())
			.httpBasic((basic) -> basic.disable())
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(problems)
				.accessDeniedHandler(problems))
			.authorizeHttpRequests((requests) -> {
				// Error dispatches render the problem of a request that was already let in (or refused).
				requests.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
				// The API before the actuator rules, which look up the request's application context
				// (once per context: ActuatorRequestMatcher). The same decision as anyRequest() below
				// would make.
				if (open) {
					requests.requestMatchers(BALANCES).permitAll();
				}
				else {
					requests.requestMatchers(BALANCES).authenticated();
				}
				// The actuator is read-only for everyone: no cache eviction, no logger changes.
				requests.requestMatchers(
						new AndRequestMatcher(SecurityConfiguration::isWrite, ActuatorRequestMatcher.toAnyEndpoint(portType)))
					.denyAll();
				requests.requestMatchers(ActuatorRequestMatcher.to(portType, "health")).permitAll();
				// Health's additional paths on the API port (probes.add-additional-paths), if any. Their
				// matcher looks up a class by name on every request it is asked about, so it is asked
				// only about requests that end in one of those paths.
				Collection<String> healthPaths = (endpoints != null)
						? endpoints.getAdditionalPaths(WebServerNamespace.SERVER, EndpointId.of("health")) : List.of();
				if (!healthPaths.isEmpty()) {
					requests.requestMatchers(new AndRequestMatcher((request) -> endsInOneOf(request, healthPaths),
							EndpointRequest.toAdditionalPaths(WebServerNamespace.SERVER, "health")))
						.permitAll();
				}
				access(requests, ActuatorRequestMatcher.to(portType, "prometheus"), prometheus, open);
				access(requests, ActuatorRequestMatcher.to(portType, "info"), info, open);
				requests.requestMatchers(ActuatorRequestMatcher.toLinks(portType)).denyAll();
				access(requests, ActuatorRequestMatcher.toAnyEndpoint(portType), properties.actuator().other(), open);
				requests.requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**")
					.permitAll();
				// The status page and its assets; the figures it shows come from /balances, which stays closed.
				requests.requestMatchers("/", "/status", "/status/**", "/webjars/**").permitAll();
				// The error page answers error dispatches only; called directly it has nothing to say.
				requests.requestMatchers("/error", "/error/**").denyAll();
				if (open) {
					requests.anyRequest().permitAll();
				}
				else {
					requests.anyRequest().authenticated();
				}
			});
		if (!open) {
			// Without keys there are no consumers to tell apart: the upstream budget is guarded by
			// the providers' own pacing and bulkheads only.
			http.addFilterAfter(new ConsumerRateLimitFilter(rateLimiters, properties.rateLimitConfig(), BALANCES, problems,
					sharedBudget.getIfAvailable(), meterRegistry), AuthorizationFilter.class);
			http.addFilterBefore(new ApiKeyAuthenticationFilter(provider, problems), AnonymousAuthenticationFilter.class);
		}
		return http.build();
	}

	/** The chain's own decisions for requests answered ahead of it (the cached read path). */
	@Bean
	ConsumerGate consumerGate(SecurityFilterChain securityFilterChain, SecurityProperties properties) {
		return ConsumerGate.of(securityFilterChain, properties.mode() != SecurityProperties.Mode.NONE);
	}

	@Bean
	AccessLog accessLog(AccessLogProperties properties, MeterRegistry meterRegistry) {
		return new AccessLog(properties, meterRegistry);
	}

	/** Outside the security filters, so it sees the final status of refused requests too. */
	@Bean
	FilterRegistrationBean<ConsumerAccessLogFilter> consumerAccessLogFilter(AccessLog accessLog) {
		FilterRegistrationBean<ConsumerAccessLogFilter> registration = new FilterRegistrationBean<>(
				new ConsumerAccessLogFilter(accessLog));
		registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 3);
		return registration;
	}

	/** Before the security filters, whose request-path parsing fails on broken encodings. */
	@Bean
	FilterRegistrationBean<RequestLimitsFilter> requestLimitsFilter(SecurityProperties properties) {
		FilterRegistrationBean<RequestLimitsFilter> registration = new FilterRegistrationBean<>(new RequestLimitsFilter(
				properties.limits(), "/balances", new ProblemResponses(properties.mode() != SecurityProperties.Mode.NONE)));
		registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 2);
		return registration;
	}

	/**
	 * Replaces Tomcat's HTML error report (used for requests Tomcat refuses before the
	 * application sees them) with problem+json. Done when the context starts, after every
	 * customizer (Boot's adds a plain ErrorReportValve) has run.
	 */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReportValve() {
		return (factory) -> factory.addContextLifecycleListeners((event) -> {
			if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())
					&& event.getLifecycle() instanceof Context context && context.getParent() instanceof StandardHost host) {
				host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
				for (Valve valve : host.getPipeline().getValves()) {
					if (valve.getClass() == ErrorReportValve.class) {
						host.getPipeline().removeValve(valve);
					}
				}
				if (Arrays.stream(host.getPipeline().getValves()).noneMatch(ProblemErrorReportValve.class::isInstance)) {
					host.getPipeline().addValve(new ProblemErrorReportValve());
				}
			}
		});
	}

	@Bean
	ServerRequestObservationConvention consumerObservationConvention() {
		return new ConsumerObservationConvention();
	}

	/** Whether the request's path is one of the paths, or below one (a superset of what those paths match). */
	private static boolean endsInOneOf(HttpServletRequest request, Collection<String> paths) {
		String uri = request.getRequestURI();
		for (String path : paths) {
			if (uri.endsWith(path) || uri.contains(path + "/")) {
				return true;
			}
		}
		return false;
	}

	private static boolean isWrite(HttpServletRequest request) {
		String method = request.getMethod();
		return !("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method));
	}

	private static void access(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry requests,
			RequestMatcher endpoint, SecurityProperties.Access access, boolean open) {
		switch (access) {
			case OPEN -> requests.requestMatchers(endpoint).permitAll();
			case API_KEY -> {
				if (open) {
					requests.requestMatchers(endpoint).permitAll();
				}
				else {
					requests.requestMatchers(endpoint).authenticated();
				}
			}
			case CLOSED -> requests.requestMatchers(endpoint).denyAll();
		}
	}

	private static void announce(SecurityProperties properties, ApiKeyAuthenticationProvider provider) {
		if (properties.mode() == SecurityProperties.Mode.NONE) {
			logger.warn("{}.mode=none: /balances is open to anyone who can reach this service, without an API key. "
					+ "Use this for a demo only.", SecurityProperties.PREFIX);
		}
		else if (!provider.hasKeys()) {
			logger.warn("No API keys are configured ({}.api-keys): every /balances request is refused with 401. "
					+ "Configure consumer keys, or set {}.mode=none for a demo.", SecurityProperties.PREFIX,
					SecurityProperties.PREFIX);
		}
		else {
			logger.info("API keys configured for {} consumer(s): {}", properties.apiKeys().size(),
					properties.apiKeys().stream().map(SecurityProperties.ApiKey::name).toList());
		}
	}

}
