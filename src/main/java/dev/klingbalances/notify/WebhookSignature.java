package dev.klingbalances.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook request: {@code sha256=} and the hex HMAC-SHA256, keyed with the
 * webhook's secret, of {@code <timestamp>.<body>} (the timestamp header's value, a dot, the exact
 * body bytes). Signing the timestamp lets a receiver refuse replays of old requests.
 */
final class WebhookSignature {

	static final String SIGNATURE_HEADER = "X-Kling-Balances-Signature";

	static final String TIMESTAMP_HEADER = "X-Kling-Balances-Timestamp";

	private WebhookSignature() {
	}

	static String sign(String secret, long timestamp, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
			return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
		}
		catch (GeneralSecurityException ex) {
			// HmacSHA256 is required of every Java platform.
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

}
