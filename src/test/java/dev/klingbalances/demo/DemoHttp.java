package dev.klingbalances.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Test-side client for the demo upstreams: plain JDK HTTP on 127.0.0.1 and Kling-style JWTs. */
final class DemoHttp {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	HttpResponse<String> get(URI uri, @Nullable String authorization) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	static JsonNode json(HttpResponse<String> response) {
		return json.readTree(response.body());
	}

	/** A token as Kling's own sample code builds it: iss = access key, exp = +30 min, nbf = -5 s. */
	static String kling(String accessKey, String secretKey) {
		Instant now = Instant.now();
		return jwt(accessKey, secretKey, now.plusSeconds(1800), now.minusSeconds(5));
	}

	static String jwt(String accessKey, String secretKey, @Nullable Instant expires, @Nullable Instant notBefore) {
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(accessKey);
		if (expires != null) {
			claims.expirationTime(Date.from(expires));
		}
		if (notBefore != null) {
			claims.notBeforeTime(Date.from(notBefore));
		}
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
				claims.build());
		try {
			jwt.sign(new MACSigner(secretKey.getBytes(StandardCharsets.UTF_8)));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		return jwt.serialize();
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
	}

}
