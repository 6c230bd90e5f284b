package dev.klingbalances.upstream;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** A stable, short, one-way name for a credential: what lanes, logs and the shared store key it by. */
public final class Fingerprint {

	private Fingerprint() {
	}

	/** The first 8 bytes of the SHA-256 of {@code identity}, in hex: never the credential itself. */
	public static String of(String identity) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 8);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

}
