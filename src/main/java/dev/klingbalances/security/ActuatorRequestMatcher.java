package dev.klingbalances.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.RequestMatcherProvider;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.util.StringUtils;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * {@link EndpointRequest#to(String...)}, {@link EndpointRequest#toAnyEndpoint()} and
 * {@link EndpointRequest#toLinks()} with the same answers, but with the context part decided once
 * per servlet context instead of on every request. With a separate management port (the Helm
 * chart's) Boot's matchers ask, for every request, whether the request's application context is
 * the management server's, and that question looks up a class by name
 * ({@code ClassUtils.isPresent} in {@code ApplicationContextRequestMatcher.hasServerNamespace}):
 * on every probe and scrape of the management port, and every non-API request of the API port.
 * The answer depends on the context only, so it is kept per servlet context (there are two at
 * most), with the endpoints' path matchers built from the same beans Boot's would use: the
 * context's {@link PathMappedEndpoints} and {@link RequestMatcherProvider} (which knows the
 * management server's dispatcher servlet path).
 */
final class ActuatorRequestMatcher implements RequestMatcher {

	private static final RequestMatcher NONE = (request) -> false;

	private final ManagementPortType portType;

	/** Endpoint ids to match, or {@code null} for every exposed endpoint. */
	private final List<String> ids;

	private final boolean links;

	private final Map<ServletContext, RequestMatcher> perContext = new ConcurrentHashMap<>();

	private ActuatorRequestMatcher(ManagementPortType portType, List<String> ids, boolean links) {
		this.portType = portType;
		this.ids = ids;
		this.links = links;
	}

	/** As {@link EndpointRequest#to(String...)}. */
	static ActuatorRequestMatcher to(ManagementPortType portType, String... ids) {
		return new ActuatorRequestMatcher(portType, List.of(ids), false);
	}

	/** As {@link EndpointRequest#toAnyEndpoint()}: every exposed endpoint and the links page. */
	static ActuatorRequestMatcher toAnyEndpoint(ManagementPortType portType) {
		return new ActuatorRequestMatcher(portType, null, true);
	}

	/** As {@link EndpointRequest#toLinks()}. */
	static ActuatorRequestMatcher toLinks(ManagementPortType portType) {
		return new ActuatorRequestMatcher(portType, List.of(), true);
	}

	@Override
	public boolean matches(HttpServletRequest request) {
		ServletContext servletContext = request.getServletContext();
		RequestMatcher matcher = this.perContext.get(servletContext);
		if (matcher == null) {
			matcher = this.perContext.computeIfAbsent(servletContext, this::create);
		}
		return matcher.matches(request);
	}

	private RequestMatcher create(ServletContext servletContext) {
		WebApplicationContext context = WebApplicationContextUtils.getRequiredWebApplicationContext(servletContext);
		// As Boot's: with a separate port only the management server's context serves the actuator.
		if (this.portType == ManagementPortType.DIFFERENT
				&& !WebServerApplicationContext.hasServerNamespace(context, WebServerNamespace.MANAGEMENT.getValue())) {
			return NONE;
		}
		PathMappedEndpoints endpoints;
		try {
			endpoints = context.getBean(PathMappedEndpoints.class);
		}
		catch (NoSuchBeanDefinitionException ex) {
			return NONE;
		}
		RequestMatcherProvider provider = provider(context);
		List<RequestMatcher> matchers = new ArrayList<>();
		Collection<String> paths = (this.ids != null)
				? this.ids.stream().map((id) -> endpoints.getPath(EndpointId.of(id))).filter((path) -> path != null).toList()
				: endpoints.getAllPaths();
		for (String path : paths) {
			matchers.add(provider.getRequestMatcher(path, null));
			matchers.add(provider.getRequestMatcher(path + "/**", null));
		}
		String basePath = endpoints.getBasePath();
		String linksPath = StringUtils.hasText(basePath) ? basePath
				: (this.portType == ManagementPortType.DIFFERENT) ? "/" : null;
		if (this.links && linksPath != null) {
			matchers.add(provider.getRequestMatcher(linksPath, HttpMethod.GET));
			if (!linksPath.endsWith("/")) {
				matchers.add(provider.getRequestMatcher(linksPath + "/", HttpMethod.GET));
			}
		}
		return matchers.isEmpty() ? NONE : new OrRequestMatcher(matchers);
	}

	private static RequestMatcherProvider provider(WebApplicationContext context) {
		try {
			return context.getBean(RequestMatcherProvider.class);
		}
		catch (NoSuchBeanDefinitionException ex) {
			return (path, method) -> PathPatternRequestMatcher.withDefaults().matcher(method, path);
		}
	}

	@Override
	public String toString() {
		return "ActuatorRequestMatcher " + ((this.ids != null) ? this.ids : "[*]") + (this.links ? " with links" : "");
	}

}
