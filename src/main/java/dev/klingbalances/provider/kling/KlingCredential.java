package dev.klingbalances.provider.kling;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.klingbalances.upstream.Fingerprint;
import org.jspecify.annotations.Nullable;

/**
 * The bearer token for one Kling account: an API key as it is, or a JWT signed with the
 * secret key and reused until shortly before it expires. {@link #toString()} never shows a key.
 */
abstract sealed class KlingCredential {

	private final String fingerprint;

	private KlingCredential(String identity) {
		this.fingerprint = Fingerprint.of(identity);
	}

	static KlingCredential of(KlingProperties.Account account, Duration tokenTtl) {
		if (account.usesApiKey()) {
			return new ApiKey(account.apiKey());
		}
		return new SignedToken(account.accessKey(), account.secretKey(), tokenTtl);
	}

	/** Stable key for the request pacer: a truncated SHA-256 of the public half, never the secret. */
	final String fingerprint() {
		return this.fingerprint;
	}

	/** The bearer token to send now. */
	abstract String bearer(Instant now);

	/** The upstream refused this token: the next {@link #bearer} call must not return it again. */
	abstract void rejected(String token);

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + this.fingerprint + "]";
	}

	/** A single API key, sent as the bearer token verbatim. */
	static final class ApiKey extends KlingCredential {

		private final String apiKey;

		ApiKey(String apiKey) {
			super(apiKey);
			this.apiKey = apiKey;
		}

		@Override
		String bearer(Instant now) {
			return this.apiKey;
		}

		@Override
		void rejected(String token) {
			// nothing to renew: the retry resends the same key
		}

	}

	/**
	 * Access key + secret key: an HS256 JWT with {@code iss} = access key, {@code exp} = now + ttl,
	 * {@code nbf} = now - 5 s. One token is cached and re-signed only when a sixth of its
	 * lifetime is left, or after the upstream refused it.
	 */
	static final class SignedToken extends KlingCredential {

		private static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

		/**
		 * A token is re-signed once 1/6 of its lifetime is left (5 minutes of the default 30;
		 * formerly {@code balances.kling.token-renew-before}): long enough for a request and its
		 * retries to reach Kling before {@code exp}, and it can never reach the whole lifetime,
		 * which would sign a new token for every request.
		 */
		private static final int RENEW_WHEN_LEFT = 6;

		private static final JWSHeader HEADER = new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT)
			.build();

		private final String accessKey;

		private final JWSSigner signer;

		private final Duration ttl;

		private final Duration renewBefore;

		private @Nullable String token;

		private @Nullable Instant renewAt;

		SignedToken(String accessKey, String secretKey, Duration ttl) {
			super(accessKey);
			this.accessKey = accessKey;
			this.signer = new AnyLengthHs256Signer(secretKey.getBytes(StandardCharsets.UTF_8));
			this.ttl = ttl;
			this.renewBefore = ttl.dividedBy(RENEW_WHEN_LEFT);
		}

		@Override
		synchronized String bearer(Instant now) {
			if (this.token == null || this.renewAt == null || !now.isBefore(this.renewAt)) {
				Instant expiresAt = now.plus(this.ttl);
				this.token = sign(now, expiresAt);
				this.renewAt = expiresAt.minus(this.renewBefore);
			}
			return this.token;
		}

		@Override
		synchronized void rejected(String token) {
			if (token.equals(this.token)) {
				this.token = null;
				this.renewAt = null;
			}
		}

		private String sign(Instant now, Instant expiresAt) {
			JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(this.accessKey)
				.expirationTime(Date.from(expiresAt))
				.notBeforeTime(Date.from(now.minus(CLOCK_SKEW)))
				.build();
			SignedJWT jwt = new SignedJWT(HEADER, claims);
			try {
				jwt.sign(this.signer);
			}
			catch (JOSEException ex) {
				// the message of a signing failure never contains the key; keep no cause to be sure
				throw new IllegalStateException("Could not sign the Kling token");
			}
			return jwt.serialize();
		}

	}

	/**
	 * HMAC-SHA256 JWS signer for a key of any length. Nimbus' {@code MACSigner} refuses keys
	 * shorter than 256 bits (RFC 7518's rule for key generation), but the key is issued by Kling,
	 * not chosen here, and Kling's own samples sign with whatever secret it issued (PyJWT,
	 * auth0 {@code Algorithm.HMAC256}) without a length check.
	 */
	static final class AnyLengthHs256Signer implements JWSSigner {

		private final SecretKeySpec key;

		private final JCAContext jcaContext = new JCAContext();

		AnyLengthHs256Signer(byte[] secret) {
			this.key = new SecretKeySpec(secret, "HmacSHA256");
		}

		@Override
		public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
			if (!JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
				throw new JOSEException("Only HS256 is supported");
			}
			try {
				Mac mac = Mac.getInstance("HmacSHA256");
				mac.init(this.key);
				return Base64URL.encode(mac.doFinal(signingInput));
			}
			catch (GeneralSecurityException ex) {
				throw new JOSEException("HMAC-SHA256 is not available");
			}
		}

		@Override
		public Set<JWSAlgorithm> supportedJWSAlgorithms() {
			return Set.of(JWSAlgorithm.HS256);
		}

		@Override
		public JCAContext getJCAContext() {
			return this.jcaContext;
		}

	}

}
