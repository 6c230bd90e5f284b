package dev.klingbalances.contract;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.ServletContext;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.server.servlet.context.ServletWebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * The servlet context of each server of the test's application, by server namespace
 * ({@code server}, and {@code management} with a separate management port): to hand the
 * security chain requests as that server would. The management context's event reaches its
 * parent's listeners too.
 */
@TestConfiguration(proxyBeanMethods = false)
public class ServerServletContexts implements ApplicationListener<ServletWebServerInitializedEvent> {

	private final Map<String, ServletContext> byNamespace = new ConcurrentHashMap<>();

	@Override
	public void onApplicationEvent(ServletWebServerInitializedEvent event) {
		String namespace = event.getApplicationContext().getServerNamespace();
		this.byNamespace.put((namespace != null) ? namespace : "server", event.getApplicationContext().getServletContext());
	}

	/** The servlet contexts by namespace. */
	public Map<String, ServletContext> byNamespace() {
		return Map.copyOf(this.byNamespace);
	}

}
