package dev.klingbalances.contract;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for the app on 127.0.0.1: no redirects, no cookies, raw headers. */
public final class Http {

	private static final HttpClient client = HttpClient.newBuilder()
		.connectTimeout(Duration.ofSeconds(5))
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	private final int port;

	public Http(int port) {
		this.port = port;
	}

	/** GET {@code pathAndQuery} (already encoded) with header name/value pairs. */
	public HttpResponse<String> get(String pathAndQuery, String... headers) {
		return send("GET", pathAndQuery, headers);
	}

	public HttpResponse<String> send(String method, String pathAndQuery, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery))
			.timeout(Duration.ofSeconds(30))
			.method(method, HttpRequest.BodyPublishers.noBody());
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		try {
			return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException("Request to " + pathAndQuery + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public URI uri(String pathAndQuery) {
		return URI.create("http://127.0.0.1:" + this.port + pathAndQuery);
	}

}
