package dev.klingbalances.upstream;

import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Builds the WebClient for one upstream with its transport limits: connect and response
 * timeouts, a bounded connection pool with a bounded wait queue, and a cap on buffered body
 * size. One place, so both providers get the same protections.
 */
public final class UpstreamWebClients {

	private UpstreamWebClients() {
	}

	/**
	 * @param name pool name, used in Reactor Netty metrics
	 * @param builder Boot's auto-configured builder (observations, codecs)
	 */
	public static WebClient create(String name, WebClient.Builder builder, String baseUrl,
			UpstreamHttpProperties http) {
		ConnectionProvider pool = ConnectionProvider.builder(name)
			.maxConnections(http.maxConnections())
			.pendingAcquireMaxCount(http.maxPendingRequests())
			.pendingAcquireTimeout(http.connectTimeout().plus(http.responseTimeout()))
			.build();
		HttpClient httpClient = HttpClient.create(pool)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(http.connectTimeout().toMillis()))
			.responseTimeout(http.responseTimeout())
			.doAfterRequest((request, connection) -> RequestSent.sent(request.currentContextView()));
		return builder.clone()
			.baseUrl(baseUrl)
			.clientConnector(new ReactorClientHttpConnector(httpClient))
			.codecs((codecs) -> codecs.defaultCodecs()
				.maxInMemorySize(Math.toIntExact(http.maxResponseSize().toBytes())))
			.build();
	}

}
