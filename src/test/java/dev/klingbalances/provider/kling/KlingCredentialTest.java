package dev.klingbalances.provider.kling;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.KeyLengthException;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class KlingCredentialTest {

	static final String ACCESS_KEY = "AK0123456789abcdefghijklmnopqrst";

	/** 32 characters, as Kling issues them: exactly the 256 bits Nimbus' own MACSigner wants. */
	static final String SECRET_KEY = "SK0123456789abcdefghijklmnopqrst";

	private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

	private final KlingCredential.SignedToken credential = new KlingCredential.SignedToken(ACCESS_KEY, SECRET_KEY,
			Duration.ofMinutes(30));

	@Test
	void signsAnHs256JwtWithKlingsHeaderAndClaims() throws Exception {
		String token = this.credential.bearer(NOW);

		String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
		assertThat(JSONObjectUtils.parse(header)).isEqualTo(Map.of("alg", "HS256", "typ", "JWT"));
		SignedJWT jwt = SignedJWT.parse(token);
		assertThat(jwt.verify(new MACVerifier(SECRET_KEY.getBytes(StandardCharsets.UTF_8)))).isTrue();
		JWTClaimsSet claims = jwt.getJWTClaimsSet();
		assertThat(claims.getClaims().keySet()).containsExactlyInAnyOrder("iss", "exp", "nbf");
		assertThat(claims.getIssuer()).isEqualTo(ACCESS_KEY);
		assertThat(claims.getExpirationTime().toInstant()).isEqualTo(NOW.plusSeconds(1800));
		assertThat(claims.getNotBeforeTime().toInstant()).isEqualTo(NOW.minusSeconds(5));
	}

	/** The default token-ttl, 30 minutes: renewed with 5 minutes left. */
	@Test
	void reusesTheTokenUntilItIsWithinTheRenewalWindow() {
		String first = this.credential.bearer(NOW);

		assertThat(this.credential.bearer(NOW.plusSeconds(60))).isEqualTo(first);
		assertThat(this.credential.bearer(NOW.plus(Duration.ofMinutes(25)).minusSeconds(1))).isEqualTo(first);
		String renewed = this.credential.bearer(NOW.plus(Duration.ofMinutes(25)));
		assertThat(renewed).isNotEqualTo(first);
		assertThat(this.credential.bearer(NOW.plus(Duration.ofMinutes(26)))).isEqualTo(renewed);
	}

	/**
	 * The renewal window follows {@code balances.kling.token-ttl}: a sixth of it. Even the
	 * shortest token-ttl allowed (10 s) is reused for most of its life, never signed anew for
	 * every request.
	 */
	@Test
	void renewsATokenWhenASixthOfItsLifetimeIsLeft() {
		KlingCredential.SignedToken hourly = new KlingCredential.SignedToken(ACCESS_KEY, SECRET_KEY, Duration.ofHours(1));
		String first = hourly.bearer(NOW);
		assertThat(hourly.bearer(NOW.plus(Duration.ofMinutes(50)).minusSeconds(1))).isEqualTo(first);
		assertThat(hourly.bearer(NOW.plus(Duration.ofMinutes(50)))).isNotEqualTo(first);

		KlingCredential.SignedToken shortest = new KlingCredential.SignedToken(ACCESS_KEY, SECRET_KEY,
				Duration.ofSeconds(10));
		String token = shortest.bearer(NOW);
		assertThat(shortest.bearer(NOW.plusSeconds(8))).isEqualTo(token);
		assertThat(shortest.bearer(NOW.plusSeconds(9))).isNotEqualTo(token);
	}

	@Test
	void signsAFreshTokenAfterTheUpstreamRejectedTheCachedOne() {
		String first = this.credential.bearer(NOW);

		this.credential.rejected(first);

		String fresh = this.credential.bearer(NOW.plusSeconds(1));
		assertThat(fresh).isNotEqualTo(first);
		// a late report about the old token does not throw the fresh one away
		this.credential.rejected(first);
		assertThat(this.credential.bearer(NOW.plusSeconds(2))).isEqualTo(fresh);
	}

	@Test
	void signsSecretsShorterThan256BitsLikeKlingsOwnSamples() throws Exception {
		byte[] shortSecret = "short-secret-16b".getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(KeyLengthException.class).isThrownBy(() -> new MACSigner(shortSecret));
		KlingCredential.SignedToken shortKeyed = new KlingCredential.SignedToken(ACCESS_KEY, "short-secret-16b",
				Duration.ofMinutes(30));

		String token = shortKeyed.bearer(NOW);

		String[] parts = token.split("\\.");
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(shortSecret, "HmacSHA256"));
		byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
		assertThat(Base64.getUrlDecoder().decode(parts[2])).isEqualTo(expected);
		assertThat(SignedJWT.parse(token).getJWTClaimsSet().getIssuer()).isEqualTo(ACCESS_KEY);
	}

	@Test
	void sendsAnApiKeyVerbatimAndNeverRenewsIt() {
		KlingCredential apiKey = KlingCredential.of(new KlingProperties.Account("new", null, null, "api-key-123"),
				Duration.ofMinutes(30));

		assertThat(apiKey.bearer(NOW)).isEqualTo("api-key-123");
		apiKey.rejected("api-key-123");
		assertThat(apiKey.bearer(NOW.plusSeconds(1))).isEqualTo("api-key-123");
	}

	@Test
	void fingerprintAndToStringRevealNoKey() {
		KlingCredential apiKey = KlingCredential.of(new KlingProperties.Account("new", null, null, "api-key-123"),
				Duration.ofMinutes(30));

		assertThat(this.credential.fingerprint()).matches("[0-9a-f]{16}");
		assertThat(apiKey.fingerprint()).matches("[0-9a-f]{16}").isNotEqualTo(this.credential.fingerprint());
		assertThat(this.credential.toString()).doesNotContain(ACCESS_KEY, SECRET_KEY);
		assertThat(apiKey.toString()).doesNotContain("api-key-123");
	}

}
